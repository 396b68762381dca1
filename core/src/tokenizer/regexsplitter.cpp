#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regexsplitter.h"

#include "ft/error.h"

#include <pcre2.h>

#include <memory>

namespace ft::tok {

namespace {

// Oniguruma's \s (what tokenizers uses) is Unicode White_Space, which includes U+0085; PCRE2's
// \s in UCP mode does not. Rewrite \s / \S outside and inside classes to an explicit set.
std::string adaptPattern(const std::string &p)
{
    static const std::string ws = "\\t\\n\\x{0B}\\f\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
                                  "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
    std::string out;
    bool inClass = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char n = p[i + 1];
            if (n == 's') {
                out += inClass ? ws : "[" + ws + "]";
            } else if (n == 'S' && !inClass) {
                out += "[^" + ws + "]";
            } else {
                out += c;
                out += n;
            }
            ++i;
            continue;
        }
        if (c == '[' && !inClass) {
            inClass = true;
            out += c;
            // A ']' or '^]' right after '[' is literal.
            if (i + 1 < p.size() && p[i + 1] == '^') {
                out += '^';
                ++i;
            }
            if (i + 1 < p.size() && p[i + 1] == ']') {
                out += ']';
                ++i;
            }
            continue;
        }
        if (c == ']' && inClass)
            inClass = false;
        out += c;
    }
    return out;
}

} // namespace

RegexSplitter::RegexSplitter(const std::string &pattern, const std::string &where)
    : m_pattern(pattern)
{
    const std::string adapted = adaptPattern(pattern);
    int err = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(adapted.data()), adapted.size(),
                                     PCRE2_UTF | PCRE2_UCP, &err, &offset, nullptr);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        throwBadInput(where + ": invalid regex at offset " + std::to_string(offset) + ": "
                      + reinterpret_cast<const char *>(buf));
    }
    m_jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    m_code = code;
    m_gpt2 = pattern == gpt2Pattern();
}

RegexSplitter::~RegexSplitter()
{
    pcre2_code_free(static_cast<pcre2_code *>(m_code));
}

namespace {

// Match data, match context and JIT stack for this thread, made once: findAll runs once per
// pre-token piece, and allocating them (the JIT stack is 32 KiB) per call cost more than the
// matching.
struct MatchScratch
{
    pcre2_match_data *data = pcre2_match_data_create(1, nullptr); // the whole match is all we read
    pcre2_match_context *context = pcre2_match_context_create(nullptr);
    pcre2_jit_stack *stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    MatchScratch()
    {
        if (context && stack)
            pcre2_jit_stack_assign(context, nullptr, stack);
    }
    ~MatchScratch()
    {
        pcre2_jit_stack_free(stack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(data);
    }
    MatchScratch(const MatchScratch &) = delete;
    MatchScratch &operator=(const MatchScratch &) = delete;
};

MatchScratch &matchScratch()
{
    thread_local MatchScratch scratch;
    if (!scratch.data || !scratch.context)
        throw Error(ErrorKind::Internal, "tokenizer regex: out of memory");
    return scratch;
}

} // namespace

bool RegexSplitter::matchAt(std::string_view text, std::size_t pos, std::size_t &start, std::size_t &end) const
{
    MatchScratch &scratch = matchScratch();
    auto *code = static_cast<pcre2_code *>(m_code);
    const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), pos, PCRE2_NO_UTF_CHECK,
                               scratch.data, scratch.context);
    if (rc == PCRE2_ERROR_NOMATCH)
        return false;
    if (rc < 0) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(rc, buf, sizeof buf);
        throw Error(ErrorKind::Internal, std::string("tokenizer regex match failed: ")
                                             + reinterpret_cast<const char *>(buf));
    }
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(scratch.data);
    start = ov[0];
    end = ov[1];
    return true;
}

void RegexSplitter::findAll(std::string_view text,
                            std::vector<std::pair<std::size_t, std::size_t>> &out) const
{
    out.clear();
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t s = 0, e = 0;
        if (m_gpt2) {
            // ASCII scanner; it hands a match whose outcome depends on a non-ASCII character to PCRE2
            // (the pattern has no look-behind, so a match depends only on where it starts).
            e = gpt2AsciiMatch(text, pos);
            if (e != kNotAscii) {
                out.emplace_back(pos, e);
                pos = e;
                continue;
            }
        }
        if (!matchAt(text, pos, s, e))
            break;
        if (e > s) {
            out.emplace_back(s, e);
            pos = e;
        } else {
            // Empty match: skip one character.
            pos = s + 1;
            while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80)
                ++pos;
        }
    }
}

namespace {

enum AsciiClass : unsigned char { Other = 0, Letter = 1, Digit = 2, Space = 3, NonAscii = 4 };

// \s here is Oniguruma's White_Space (adaptPattern); in ASCII: tab, LF, VT, FF, CR and space.
constexpr AsciiClass asciiClass(unsigned char c)
{
    return c >= 0x80 ? NonAscii
           : ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? Letter
           : (c >= '0' && c <= '9')                   ? Digit
           : (c == ' ' || (c >= '\t' && c <= '\r'))  ? Space
                                                      : Other;
}

} // namespace

// The GPT-2 pattern 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ at `pos`,
// alternatives in order, for ASCII text: the match's end, or kNotAscii when a character that
// decides it is not ASCII (PCRE2 then matches; its tables decide what a letter is).
std::size_t RegexSplitter::gpt2AsciiMatch(std::string_view t, std::size_t pos)
{
    const std::size_t n = t.size();
    auto cls = [&](std::size_t i) { return i < n ? asciiClass(static_cast<unsigned char>(t[i])) : Space; };
    auto runEnd = [&](std::size_t i, AsciiClass c) {
        while (i < n && asciiClass(static_cast<unsigned char>(t[i])) == c)
            ++i;
        return i;
    };
    const unsigned char c = static_cast<unsigned char>(t[pos]);
    if (c >= 0x80)
        return kNotAscii;
    if (c == '\'' && pos + 1 < n) {
        const char a = t[pos + 1];
        if (a == 's' || a == 't' || a == 'm' || a == 'd')
            return pos + 2;
        const char b = pos + 2 < n ? t[pos + 2] : '\0';
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
            return pos + 3;
    }
    const std::size_t body = c == ' ' ? pos + 1 : pos; // the optional leading space
    if (body < n) {
        const AsciiClass first = cls(body);
        if (first == NonAscii)
            return kNotAscii;
        if (first != Space) {
            // ' ?X+' where X is this class; a run that stops at a non-ASCII character might go on.
            const std::size_t e = runEnd(body, first);
            return cls(e) == NonAscii ? kNotAscii : e;
        }
    }
    // White space: \s+(?!\S), else \s+ (a single white-space character before a non-space).
    const std::size_t e = runEnd(pos, Space);
    if (e == pos)
        return kNotAscii; // not reached: every ASCII class is handled above
    if (e == n)
        return e;
    if (cls(e) == NonAscii)
        return kNotAscii; // whether it is \S decides the backtrack
    return e - 1 > pos ? e - 1 : e;
}

const std::string &RegexSplitter::gpt2Pattern()
{
    static const std::string p =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
    return p;
}

const std::string &RegexSplitter::llama3Pattern()
{
    static const std::string p =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    return p;
}

const std::string &RegexSplitter::qwen2Pattern()
{
    static const std::string p =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    return p;
}

} // namespace ft::tok
