#include "tokenizer/addedvocabulary.h"

#include "tokenizer/utf8.h"

#include <algorithm>

namespace ft::tok {

namespace {

// Last character before `end` (valid UTF-8 assumed); returns its start or npos.
std::size_t prevCharStart(std::string_view s, std::size_t end)
{
    if (end == 0)
        return std::string_view::npos;
    std::size_t i = end - 1;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
        --i;
    return i;
}

char32_t charAt(std::string_view s, std::size_t i, int *len)
{
    char32_t cp = 0xFFFD;
    int bad = 1;
    *len = decodeUtf8(s, i, &cp, &bad);
    if (*len == 0) {
        *len = bad;
        cp = 0xFFFD;
    }
    return cp;
}

bool isWordChar(char32_t cp)
{
    // Rust's char::is_alphanumeric or '_' approximated for ASCII; other letters count as word chars.
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    return !isUnicodeWhitespace(cp);
}

} // namespace

void AddedVocabulary::add(const AddedToken &token)
{
    if (token.content.empty())
        return;
    const auto byContent = m_byContent.find(token.content);
    if (byContent != m_byContent.end()) {
        m_byId.erase(m_tokens[byContent->second].id);
        m_tokens[byContent->second] = token;
        m_byId[token.id] = byContent->second;
        return;
    }
    const auto byId = m_byId.find(token.id);
    if (byId != m_byId.end()) {
        m_byContent.erase(m_tokens[byId->second].content);
        m_tokens[byId->second] = token;
        m_byContent[token.content] = byId->second;
        return;
    }
    m_byId[token.id] = m_tokens.size();
    m_byContent[token.content] = m_tokens.size();
    m_tokens.push_back(token);
}

void AddedVocabulary::finalize(const std::function<std::string(std::string_view)> &normalize)
{
    m_raw = Matcher{};
    m_normalized = Matcher{};
    m_raw.byFirst.resize(256);
    m_normalized.byFirst.resize(256);
    for (std::size_t i = 0; i < m_tokens.size(); ++i) {
        const AddedToken &t = m_tokens[i];
        Matcher &m = t.normalized ? m_normalized : m_raw;
        std::string pattern = t.normalized && normalize ? normalize(t.content) : t.content;
        if (pattern.empty())
            continue;
        m.byFirst[static_cast<unsigned char>(pattern[0])].emplace_back(std::move(pattern), i);
        m.empty = false;
    }
    for (Matcher *m : {&m_raw, &m_normalized})
        for (auto &v : m->byFirst)
            std::stable_sort(v.begin(), v.end(),
                             [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
}

void AddedVocabulary::findMatches(std::string_view text, const Matcher &m,
                                  std::vector<std::pair<std::size_t, std::size_t>> &spans,
                                  std::vector<std::size_t> &which) const
{
    std::size_t i = 0;
    while (i < text.size()) {
        const auto &cands = m.byFirst[static_cast<unsigned char>(text[i])];
        bool matched = false;
        for (const auto &[pattern, index] : cands) {
            if (text.compare(i, pattern.size(), pattern) == 0) {
                spans.emplace_back(i, i + pattern.size());
                which.push_back(index);
                i += pattern.size();
                matched = true;
                break;
            }
        }
        if (!matched)
            ++i;
    }
}

void AddedVocabulary::split(std::string_view text, bool normalizedTokens, std::vector<Segment> &out) const
{
    out.clear();
    const Matcher &m = normalizedTokens ? m_normalized : m_raw;
    if (m.empty) {
        if (!text.empty())
            out.push_back({0, text.size(), -1});
        return;
    }
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    std::vector<std::size_t> which;
    findMatches(text, m, spans, which);

    std::size_t startOffset = 0;
    for (std::size_t k = 0; k < spans.size(); ++k) {
        std::size_t start = spans[k].first, stop = spans[k].second;
        if (start < startOffset)
            continue; // swallowed by the previous token's rstrip
        const AddedToken &t = m_tokens[which[k]];
        if (t.singleWord) {
            int len = 0;
            const std::size_t p = prevCharStart(text, start);
            const bool startOk = p == std::string_view::npos || !isWordChar(charAt(text, p, &len));
            const bool stopOk = stop >= text.size() || !isWordChar(charAt(text, stop, &len));
            if (!startOk || !stopOk)
                continue;
        }
        if (t.lstrip) {
            std::size_t s = start;
            for (;;) {
                const std::size_t p = prevCharStart(text, s);
                int len = 0;
                if (p == std::string_view::npos || p < startOffset || !isUnicodeWhitespace(charAt(text, p, &len)))
                    break;
                s = p;
            }
            start = s;
        }
        if (t.rstrip) {
            while (stop < text.size()) {
                int len = 0;
                if (!isUnicodeWhitespace(charAt(text, stop, &len)))
                    break;
                stop += std::size_t(len);
            }
        }
        if (startOffset < start)
            out.push_back({startOffset, start, -1});
        out.push_back({start, stop, t.id});
        startOffset = stop;
    }
    if (startOffset < text.size())
        out.push_back({startOffset, text.size(), -1});
}

const AddedToken *AddedVocabulary::byId(int32_t id) const
{
    const auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : &m_tokens[it->second];
}

std::optional<int32_t> AddedVocabulary::idOf(std::string_view content) const
{
    const auto it = m_byContent.find(std::string(content));
    if (it == m_byContent.end())
        return std::nullopt;
    return m_tokens[it->second].id;
}

int32_t AddedVocabulary::maxId() const
{
    int32_t m = -1;
    for (const AddedToken &t : m_tokens)
        m = std::max(m, t.id);
    return m;
}

} // namespace ft::tok
