// Personal data: pattern candidates (PCRE2), then validation (checksums, dates, digit counts).
// Findings: one per row and type, with the masked matches and their spans.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "review/pii.h"

#include "ft/error.h"
#include "review/reviewcontext.h"

#include <arpa/inet.h>
#include <pcre2.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>

namespace ft::review {
namespace {

const char *const kBoundL = "(?<![0-9A-Za-z])";
const char *const kBoundR = "(?![0-9A-Za-z])";

// A byte-mode PCRE2 pattern (the patterns are ASCII; bytes of other characters never match
// them, so any input, valid UTF-8 or not, is safe), JIT-compiled, with per-thread match data.
class BytePattern
{
public:
    explicit BytePattern(const std::string &re)
    {
        int err = 0;
        PCRE2_SIZE offset = 0;
        m_code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re.data()), re.size(), 0, &err, &offset, nullptr);
        if (!m_code)
            throw Error(ErrorKind::Internal, "pii pattern does not compile at offset " + std::to_string(offset));
        m_jit = pcre2_jit_compile(m_code, PCRE2_JIT_COMPLETE) == 0;
    }
    ~BytePattern() { pcre2_code_free(m_code); }
    BytePattern(const BytePattern &) = delete;
    BytePattern &operator=(const BytePattern &) = delete;

    void findAll(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>> &out) const
    {
        out.clear();
        thread_local std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
            pcre2_match_data_create(16, nullptr), &pcre2_match_data_free);
        const auto *subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        std::size_t pos = 0;
        while (pos < text.size()) {
            const int rc = m_jit ? pcre2_jit_match(m_code, subject, text.size(), pos, 0, md.get(), nullptr)
                                 : pcre2_match(m_code, subject, text.size(), pos, 0, md.get(), nullptr);
            if (rc < 0)
                break;  // no match (or a resource limit: the rest of this text is not scanned)
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md.get());
            if (ov[1] > ov[0]) {
                out.emplace_back(ov[0], ov[1]);
                pos = ov[1];
            } else {
                pos = ov[0] + 1;
            }
        }
    }

private:
    pcre2_code *m_code = nullptr;
    bool m_jit = false;
};

// What a text needs before a pattern is worth running (cheap counts first).
struct TextStats
{
    int at = 0, colons = 0, dots = 0, digits = 0;
};

struct Pattern
{
    std::string type;
    std::unique_ptr<BytePattern> regex;
    bool (*worthIt)(const TextStats &);
};

const std::vector<Pattern> &patterns()
{
    static const std::vector<Pattern> list = [] {
        std::vector<Pattern> p;
        auto add = [&p](const char *type, const std::string &re, bool (*worthIt)(const TextStats &)) {
            p.push_back({type, std::make_unique<BytePattern>(re), worthIt});
        };
        const auto email = [](const TextStats &t) { return t.at > 0; };
        const auto digits8 = [](const TextStats &t) { return t.digits >= 8; };
        const auto digits11 = [](const TextStats &t) { return t.digits >= 11; };
        const auto digits13 = [](const TextStats &t) { return t.digits >= 13; };
        const auto ipv4 = [](const TextStats &t) { return t.dots >= 3 && t.digits >= 4; };
        const auto ipv6 = [](const TextStats &t) { return t.colons >= 2; };
        const std::string l = kBoundL, r = kBoundR;
        add("email",
            "(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
            "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}(?![A-Za-z0-9-])",
            email);
        add("cn_id", l + "[1-8][0-9]{16}[0-9Xx]" + r, digits13);
        add("cn_mobile", "(?<![0-9A-Za-z+])(?:(?:\\+|00)?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}" + r, digits11);
        add("bank_card", l + "(?:[0-9]{13,19}|[0-9]{4}([ -])[0-9]{4}\\1[0-9]{4}\\1[0-9]{1,7})" + r, digits13);
        add("phone",
            "(?<![0-9A-Za-z+])(?:\\+[1-9][0-9]{0,2}(?:[ .-]?\\(?[0-9]{1,5}\\)?){2,6}|"
            "(?:\\([0-9]{3}\\) ?|[0-9]{3}[-.])[0-9]{3}[-.][0-9]{4})" + r,
            digits8);
        add("ipv4",
            "(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}"
            "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?![0-9]|\\.[0-9])",
            ipv4);
        add("ipv6", "(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|[0-9]{1,3}(?:\\.[0-9]{1,3}){3})?(?![0-9A-Fa-f:])", ipv6);
        return p;
    }();
    return list;
}

std::string digitsOf(std::string_view s)
{
    std::string d;
    for (char c : s)
        if ((c >= '0' && c <= '9') || c == 'X' || c == 'x')
            d += c;
    return d;
}

bool allSame(const std::string &d)
{
    return std::all_of(d.begin(), d.end(), [&](char c) { return c == d[0]; });
}

bool validate(const std::string &type, std::string_view m)
{
    const std::string d = digitsOf(m);
    if (type == "cn_id")
        return isValidChineseId(m);
    if (type == "bank_card")
        return d.size() >= 13 && d.size() <= 19 && d[0] >= '2' && d[0] <= '6' && !allSame(d) && passesLuhn(d);
    if (type == "phone")
        return d.size() >= 8 && d.size() <= 15;
    if (type == "ipv6") {
        std::string s(m);
        in6_addr addr{};
        if (inet_pton(AF_INET6, s.c_str(), &addr) != 1)
            return false;
        int groups = 0;  // non-empty groups: "::1" or "a::b" are too thin to be an address in prose
        bool inGroup = false;
        for (char c : s) {
            if (c == ':' ) {
                inGroup = false;
            } else if (!inGroup) {
                inGroup = true;
                ++groups;
            }
        }
        return groups >= 3;
    }
    return true;
}

} // namespace

bool isValidChineseId(std::string_view id)
{
    if (id.size() != 18)
        return false;
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; ++i) {
        if (id[static_cast<std::size_t>(i)] < '0' || id[static_cast<std::size_t>(i)] > '9')
            return false;
        sum += (id[static_cast<std::size_t>(i)] - '0') * weights[i];
    }
    const char last = id[17] == 'x' ? 'X' : id[17];
    if (check[sum % 11] != last)
        return false;
    auto num = [&](std::size_t at, std::size_t len) {
        int v = 0;
        for (std::size_t k = 0; k < len; ++k)
            v = v * 10 + (id[at + k] - '0');
        return v;
    };
    const int year = num(6, 4), month = num(10, 2), day = num(12, 2);
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    if (year < 1900 || year > tm.tm_year + 1900 || month < 1 || month > 12 || day < 1)
        return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool passesLuhn(std::string_view digits)
{
    if (digits.empty())
        return false;
    int sum = 0;
    bool dbl = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (*it < '0' || *it > '9')
            return false;
        int v = *it - '0';
        if (dbl) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
        dbl = !dbl;
    }
    return sum % 10 == 0;
}

std::string maskPii(std::string_view m)
{
    if (m.size() <= 2)
        return std::string(m.size(), '*');
    const std::size_t keep = m.size() >= 10 ? 3 : m.size() >= 6 ? 2 : 1;
    return std::string(m.substr(0, keep)) + std::string(m.size() - 2 * keep, '*') +
           std::string(m.substr(m.size() - keep));
}

const char *piiTypeName(const std::string &type)
{
    static const std::map<std::string, const char *> names = {
        {"email", "e-mail address"},   {"phone", "phone number"},     {"cn_mobile", "Chinese mobile number"},
        {"cn_id", "Chinese resident ID number"}, {"bank_card", "bank card number"}, {"ipv4", "IPv4 address"},
        {"ipv6", "IPv6 address"}};
    auto it = names.find(type);
    return it == names.end() ? "personal data" : it->second;
}

std::vector<PiiMatch> findPersonalData(std::string_view input)
{
    const std::string_view text = input;
    TextStats stats;
    for (char c : text) {
        stats.at += c == '@';
        stats.colons += c == ':';
        stats.dots += c == '.';
        stats.digits += c >= '0' && c <= '9';
    }
    std::vector<PiiMatch> out;
    if (stats.at == 0 && stats.colons < 2 && stats.digits < 4)
        return out;
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const Pattern &p : patterns()) {
        if (!p.worthIt(stats))
            continue;
        p.regex->findAll(text, spans);
        for (const auto &span : spans) {
            // Plain copies: a lambda may not capture structured bindings before C++20 (clang).
            const auto b = span.first, e = span.second;
            const bool overlaps = std::any_of(out.begin(), out.end(),
                                              [&](const PiiMatch &m) { return b < m.end && m.begin < e; });
            if (!overlaps && validate(p.type, text.substr(b, e - b)))
                out.push_back({p.type, b, e});
        }
    }
    std::sort(out.begin(), out.end(), [](const PiiMatch &a, const PiiMatch &b) { return a.begin < b.begin; });
    return out;
}

void checkPersonalData(ChunkContext &ctx)
{
    // Matched on both threads (message index, match), reported in row order.
    std::vector<std::vector<std::pair<std::size_t, PiiMatch>>> found(ctx.rows.size());
    const auto count = static_cast<int64_t>(ctx.rows.size());
    const std::vector<ReviewRow> &rows = ctx.rows;
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t k = 0; k < count; ++k) {
        const auto &messages = rows[static_cast<std::size_t>(k)].messages;
        for (std::size_t m = 0; m < messages.size(); ++m)
            for (const PiiMatch &match : findPersonalData(messages[m].content))
                found[static_cast<std::size_t>(k)].emplace_back(m, match);
    }
    std::map<std::string, int64_t> rowsByType, matchesByType;
    for (std::size_t i = 0; i < ctx.rows.size(); ++i) {
        if (found[i].empty())
            continue;
        const auto &messages = ctx.rows[i].messages;
        std::map<std::string, nlohmann::json> byType;
        for (const auto &[m, match] : found[i]) {
            const std::string &s = messages[m].content;
            auto &list = byType[match.type];
            if (list.is_null())
                list = nlohmann::json::array();
            const std::size_t end = std::min(match.end, s.size());
            const std::size_t begin = std::min(match.begin, end);
            list.push_back({{"message", m}, {"role", messages[m].role}, {"begin", match.begin},
                            {"end", match.end}, {"masked", maskPii(std::string_view(s).substr(begin, end - begin))}});
        }
        for (auto &[type, matches] : byType) {
            ++rowsByType[type];
            matchesByType[type] += static_cast<int64_t>(matches.size());
            const std::string first = matches[0]["masked"].get<std::string>();
            ctx.add(i, finding::PersonalData, Severity::Warning,
                    std::string("Personal data: ") + piiTypeName(type) + " (" + std::to_string(matches.size()) +
                        "), e.g. " + first + " in the " + matches[0]["role"].get<std::string>() + " turn",
                    {{"type", type}, {"matches", matches}});
        }
    }
    nlohmann::json rep = nlohmann::json::object();
    for (const auto &[type, rows] : rowsByType)
        rep[type] = {{"rows", rows}, {"matches", matchesByType[type]}};
    ctx.report["personal_data"] = rep;
}

} // namespace ft::review
