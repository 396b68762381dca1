#include "tokenizer/bpetokenizer.h"

#include "tokenizer/utf8.h"

#include <algorithm>
#include <cstdlib>

namespace ft::tok {

BpeTokenizer::BpeTokenizer(Parts parts)
    : m_parts(std::move(parts))
{
    addTokens({});
    const std::string &mark = m_parts.spaceMark;
    if (!m_parts.byteLevel && !mark.empty()) {
        m_cutBeforeMark = true;
        for (int32_t id = 0; id < m_parts.model->size() && m_cutBeforeMark; ++id) {
            const std::string *t = m_parts.model->idToToken(id);
            if (!t)
                continue;
            for (std::size_t p = t->find(mark, 1); p != std::string::npos; p = t->find(mark, p + 1)) {
                if (p < mark.size() || t->compare(p - mark.size(), mark.size(), mark) != 0) {
                    m_cutBeforeMark = false;
                    break;
                }
            }
        }
    }
}

void BpeTokenizer::addTokens(const std::vector<AddedToken> &tokens)
{
    for (const AddedToken &t : tokens)
        m_parts.added.add(t);
    const Normalizer *n = &m_parts.normalizer;
    m_parts.added.finalize([n](std::string_view s) { return n->apply(s); });
}

void BpeTokenizer::setSpecialAround(std::vector<int32_t> prefix, std::vector<int32_t> suffix)
{
    m_parts.prefix = std::move(prefix);
    m_parts.suffix = std::move(suffix);
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view input, bool addSpecial) const
{
    // tokenizers only ever sees valid UTF-8 (Rust &str); repair anything else the same way
    // decode() would.
    std::string repaired;
    std::string_view text = input;
    if (!isValidUtf8(input)) {
        repaired = lossyUtf8(input);
        text = repaired;
    }
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 4);
    if (addSpecial)
        out.insert(out.end(), m_parts.prefix.begin(), m_parts.prefix.end());

    std::vector<AddedVocabulary::Segment> raw, normalizedSegs;
    m_parts.added.split(text, false, raw);
    for (const auto &seg : raw) {
        if (seg.id >= 0) {
            out.push_back(seg.id);
            continue;
        }
        const std::string_view piece = text.substr(seg.start, seg.end - seg.start);
        if (m_parts.normalizer.empty()) {
            m_parts.added.split(piece, true, normalizedSegs);
            for (const auto &ns : normalizedSegs) {
                if (ns.id >= 0)
                    out.push_back(ns.id);
                else
                    encodeText(piece.substr(ns.start, ns.end - ns.start), seg.start + ns.start, out);
            }
        } else {
            const std::string normalized = m_parts.normalizer.apply(piece);
            m_parts.added.split(normalized, true, normalizedSegs);
            for (const auto &ns : normalizedSegs) {
                if (ns.id >= 0)
                    out.push_back(ns.id);
                else // offsets in normalized text only approximate the original (used for "first")
                    encodeText(std::string_view(normalized).substr(ns.start, ns.end - ns.start),
                               seg.start + ns.start, out);
            }
        }
    }
    if (addSpecial)
        out.insert(out.end(), m_parts.suffix.begin(), m_parts.suffix.end());
    return out;
}

void BpeTokenizer::encodeText(std::string_view text, std::size_t offset, std::vector<int32_t> &out) const
{
    if (const RegexSplitter *splitter = m_parts.preTokenizer.byteLevelSplitter(); splitter && m_parts.byteLevel) {
        // What apply() + tokenize would do, without a string per piece: matches and the gaps
        // between them, each mapped to byte-level and merged (cached by its raw bytes).
        thread_local std::vector<std::pair<std::size_t, std::size_t>> matches;
        splitter->findAll(text, matches);
        std::size_t prev = 0;
        for (const auto &[s, e] : matches) {
            if (s > prev)
                m_parts.model->tokenizeByteLevel(text.substr(prev, s - prev), out);
            m_parts.model->tokenizeByteLevel(text.substr(s, e - s), out);
            prev = e;
        }
        if (prev < text.size())
            m_parts.model->tokenizeByteLevel(text.substr(prev), out);
        return;
    }
    std::vector<PreToken> pieces;
    pieces.push_back({std::string(text), offset});
    m_parts.preTokenizer.apply(pieces);
    const std::string &mark = m_parts.spaceMark;
    for (const PreToken &p : pieces) {
        if (!m_cutBeforeMark) {
            m_parts.model->tokenize(p.text, out);
            continue;
        }
        const std::string_view w = p.text;
        std::size_t start = 0;
        for (std::size_t q = w.find(mark, 1); q != std::string_view::npos; q = w.find(mark, q + mark.size())) {
            if (q >= mark.size() && w.compare(q - mark.size(), mark.size(), mark) == 0)
                continue; // inside a run of marks
            if (q > start) {
                m_parts.model->tokenize(w.substr(start, q - start), out);
                start = q;
            }
        }
        m_parts.model->tokenize(w.substr(start), out);
    }
}

const std::string *BpeTokenizer::rawToken(int32_t id) const
{
    if (const AddedToken *t = m_parts.added.byId(id))
        return &t->content;
    return m_parts.model->idToToken(id);
}

std::string BpeTokenizer::decode(const std::vector<int32_t> &ids, bool skipSpecial) const
{
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (const int32_t id : ids) {
        const AddedToken *added = m_parts.added.byId(id);
        if (added) {
            if (skipSpecial && added->special)
                continue;
            tokens.push_back(added->content);
            continue;
        }
        if (const std::string *t = m_parts.model->idToToken(id))
            tokens.push_back(*t);
    }
    return m_parts.decoder.decode(std::move(tokens));
}

std::string BpeTokenizer::tokenBytes(int32_t id) const
{
    const std::string *t = rawToken(id);
    if (!t)
        return {};
    if (m_parts.byteLevel) {
        std::string bytes;
        return fromByteLevel(*t, bytes) ? bytes : *t;
    }
    if (t->size() == 6 && t->compare(0, 3, "<0x") == 0 && (*t)[5] == '>') {
        const std::string hex = t->substr(3, 2);
        char *end = nullptr;
        const long v = std::strtol(hex.c_str(), &end, 16);
        if (end && *end == '\0')
            return std::string(1, char(v));
    }
    std::string out;
    const std::string &mark = m_parts.spaceMark;
    std::size_t pos = 0;
    for (std::size_t hit = t->find(mark); hit != std::string::npos && !mark.empty(); hit = t->find(mark, pos)) {
        out.append(*t, pos, hit - pos);
        out += ' ';
        pos = hit + mark.size();
    }
    out.append(*t, pos, std::string::npos);
    return out;
}

std::string BpeTokenizer::tokenText(int32_t id) const
{
    const std::string *t = rawToken(id);
    return t ? *t : std::string();
}

std::optional<int32_t> BpeTokenizer::tokenId(std::string_view text) const
{
    if (auto id = m_parts.added.idOf(text))
        return id;
    return m_parts.model->tokenToId(text);
}

int32_t BpeTokenizer::vocabSize() const
{
    return std::max(m_parts.model->size(), m_parts.added.maxId() + 1);
}

bool BpeTokenizer::isSpecial(int32_t id) const
{
    const AddedToken *t = m_parts.added.byId(id);
    return t && t->special;
}

} // namespace ft::tok
