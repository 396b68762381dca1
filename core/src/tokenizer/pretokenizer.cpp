#include "tokenizer/pretokenizer.h"

#include "tokenizer/utf8.h"

#include <utility>

namespace ft::tok {

namespace {

struct Span
{
    std::size_t start, end;
    bool match;
};

// Turns matches into the full list of spans (matches and the gaps between them).
std::vector<Span> spansFromMatches(std::size_t size, const std::vector<std::pair<std::size_t, std::size_t>> &m,
                                   bool invert)
{
    std::vector<Span> spans;
    std::size_t prev = 0;
    for (const auto &[s, e] : m) {
        if (s > prev)
            spans.push_back({prev, s, invert});
        spans.push_back({s, e, !invert});
        prev = e;
    }
    if (prev < size)
        spans.push_back({prev, size, invert});
    return spans;
}

// tokenizers' SplitDelimiterBehavior applied to the spans.
std::vector<Span> applyBehavior(std::vector<Span> spans, SplitBehavior behavior)
{
    std::vector<Span> out;
    bool previousMatch = false;
    switch (behavior) {
    case SplitBehavior::Removed:
        for (const Span &s : spans)
            if (!s.match)
                out.push_back(s);
        return out;
    case SplitBehavior::Isolated:
        return spans;
    case SplitBehavior::MergedWithPrevious:
        for (const Span &s : spans) {
            if (s.match && !previousMatch && !out.empty())
                out.back().end = s.end;
            else
                out.push_back({s.start, s.end, false});
            previousMatch = s.match;
        }
        return out;
    case SplitBehavior::MergedWithNext:
        for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
            if (it->match && !previousMatch && !out.empty())
                out.back().start = it->start;
            else
                out.push_back({it->start, it->end, false});
            previousMatch = it->match;
        }
        return {out.rbegin(), out.rend()};
    case SplitBehavior::Contiguous:
        for (const Span &s : spans) {
            if (s.match == previousMatch && !out.empty())
                out.back().end = s.end;
            else
                out.push_back({s.start, s.end, false});
            previousMatch = s.match;
        }
        return out;
    }
    return spans;
}

void emit(const PreToken &piece, const std::vector<Span> &spans, std::vector<PreToken> &out)
{
    for (const Span &s : spans)
        if (s.end > s.start)
            out.push_back({piece.text.substr(s.start, s.end - s.start), piece.offset + s.start});
}

void findLiteral(const std::string &text, const std::string &lit, std::vector<std::pair<std::size_t, std::size_t>> &m)
{
    m.clear();
    if (lit.empty())
        return;
    for (std::size_t pos = text.find(lit); pos != std::string::npos; pos = text.find(lit, pos + lit.size()))
        m.emplace_back(pos, pos + lit.size());
}

} // namespace

void PreTokenizer::addSplit(std::shared_ptr<RegexSplitter> regex, SplitBehavior behavior, bool invert)
{
    Step s;
    s.kind = Kind::Split;
    s.regex = std::move(regex);
    s.behavior = behavior;
    s.invert = invert;
    m_steps.push_back(std::move(s));
}

void PreTokenizer::addSplitString(std::string literal, SplitBehavior behavior, bool invert)
{
    Step s;
    s.kind = Kind::SplitString;
    s.text = std::move(literal);
    s.behavior = behavior;
    s.invert = invert;
    m_steps.push_back(std::move(s));
}

void PreTokenizer::addByteLevel(bool addPrefixSpace, bool useRegex)
{
    Step s;
    s.kind = Kind::ByteLevel;
    s.flag = addPrefixSpace;
    s.useRegex = useRegex;
    if (useRegex)
        s.regex = std::make_shared<RegexSplitter>(RegexSplitter::gpt2Pattern(), "ByteLevel pre-tokenizer");
    m_steps.push_back(std::move(s));
}

void PreTokenizer::addMetaspace(std::string replacement, PrependScheme scheme, bool split)
{
    Step s;
    s.kind = Kind::Metaspace;
    s.text = std::move(replacement);
    s.scheme = scheme;
    s.flag = split;
    m_steps.push_back(std::move(s));
}

void PreTokenizer::addDigits(bool individual)
{
    Step s;
    s.kind = Kind::Digits;
    s.flag = individual;
    m_steps.push_back(std::move(s));
}

void PreTokenizer::addWhitespaceSplit()
{
    Step s;
    s.kind = Kind::WhitespaceSplit;
    m_steps.push_back(std::move(s));
}

bool PreTokenizer::byteLevel() const
{
    for (const Step &s : m_steps)
        if (s.kind == Kind::ByteLevel)
            return true;
    return false;
}

const RegexSplitter *PreTokenizer::byteLevelSplitter() const
{
    if (m_steps.size() == 1 && m_steps[0].kind == Kind::ByteLevel && m_steps[0].useRegex && !m_steps[0].flag)
        return m_steps[0].regex.get();
    if (m_steps.size() == 2 && m_steps[0].kind == Kind::Split && m_steps[0].behavior == SplitBehavior::Isolated &&
        !m_steps[0].invert && m_steps[1].kind == Kind::ByteLevel && !m_steps[1].useRegex && !m_steps[1].flag)
        return m_steps[0].regex.get();
    return nullptr;
}

void PreTokenizer::apply(std::vector<PreToken> &pieces) const
{
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    std::vector<PreToken> next;
    for (const Step &step : m_steps) {
        next.clear();
        next.reserve(pieces.size());
        for (PreToken &piece : pieces) {
            switch (step.kind) {
            case Kind::Split:
                step.regex->findAll(piece.text, matches);
                emit(piece, applyBehavior(spansFromMatches(piece.text.size(), matches, step.invert), step.behavior), next);
                break;
            case Kind::SplitString:
                findLiteral(piece.text, step.text, matches);
                emit(piece, applyBehavior(spansFromMatches(piece.text.size(), matches, step.invert), step.behavior), next);
                break;
            case Kind::ByteLevel: {
                if (step.flag && (piece.text.empty() || piece.text[0] != ' '))
                    piece.text.insert(0, " ");
                const std::size_t first = next.size();
                if (step.useRegex) {
                    step.regex->findAll(piece.text, matches);
                    emit(piece, spansFromMatches(piece.text.size(), matches, false), next);
                } else if (!piece.text.empty()) {
                    next.push_back(piece);
                }
                for (std::size_t i = first; i < next.size(); ++i)
                    next[i].text = toByteLevel(next[i].text);
                break;
            }
            case Kind::Metaspace: {
                std::string t;
                t.reserve(piece.text.size() + 3);
                for (const char c : piece.text) {
                    if (c == ' ')
                        t += step.text;
                    else
                        t += c;
                }
                const bool starts = t.compare(0, step.text.size(), step.text) == 0;
                if (!starts && ((step.scheme == PrependScheme::Always)
                                || (step.scheme == PrependScheme::First && piece.offset == 0)))
                    t.insert(0, step.text);
                PreToken p{std::move(t), piece.offset};
                if (step.flag) {
                    findLiteral(p.text, step.text, matches);
                    emit(p, applyBehavior(spansFromMatches(p.text.size(), matches, false),
                                          SplitBehavior::MergedWithNext), next);
                } else if (!p.text.empty()) {
                    next.push_back(std::move(p));
                }
                break;
            }
            case Kind::Digits: {
                matches.clear();
                for (std::size_t i = 0; i < piece.text.size(); ++i)
                    if (piece.text[i] >= '0' && piece.text[i] <= '9')
                        matches.emplace_back(i, i + 1);
                emit(piece, applyBehavior(spansFromMatches(piece.text.size(), matches, false),
                                          step.flag ? SplitBehavior::Isolated : SplitBehavior::Contiguous), next);
                break;
            }
            case Kind::WhitespaceSplit: {
                matches.clear();
                std::size_t i = 0;
                char32_t cp;
                int bad;
                while (i < piece.text.size()) {
                    int len = decodeUtf8(piece.text, i, &cp, &bad);
                    if (len == 0)
                        len = bad, cp = 0xFFFD;
                    if (isUnicodeWhitespace(cp))
                        matches.emplace_back(i, i + len);
                    i += len;
                }
                emit(piece, applyBehavior(spansFromMatches(piece.text.size(), matches, false), SplitBehavior::Removed), next);
                break;
            }
            }
        }
        pieces.swap(next);
    }
}

} // namespace ft::tok
