// StreamDecoder: tokenizers' DecodeStream algorithm. Decode a small window of ids; emit the text
// beyond what was already emitted unless it ends in U+FFFD (an incomplete UTF-8 sequence that the
// next tokens may complete); then slide the window, keeping the previous tokens as context so
// that rules such as SentencePiece's leading-space strip apply to the very first token only.
#include "ft/tokenizer.h"

namespace ft {

namespace {
const std::string kReplacement = "\xEF\xBF\xBD";

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

StreamDecoder::StreamDecoder(const Tokenizer &tokenizer, bool skipSpecial)
    : m_tokenizer(tokenizer)
    , m_skipSpecial(skipSpecial)
{
}

std::string StreamDecoder::push(int32_t id)
{
    m_ids.push_back(id);
    const std::string text = m_tokenizer.decode(m_ids, m_skipSpecial);
    if (text.size() <= m_prefix.size() || endsWith(text, kReplacement))
        return {};
    if (text.compare(0, m_prefix.size(), m_prefix) != 0) {
        // The context decodes differently with the new token (should not happen with the
        // supported decoders): restart the window at this token.
        m_ids.assign(1, id);
        m_prefix = m_tokenizer.decode(m_ids, m_skipSpecial);
        m_prefixIndex = 1;
        return m_prefix;
    }
    std::string fresh = text.substr(m_prefix.size());
    const std::size_t newPrefixIndex = m_ids.size() - m_prefixIndex;
    m_ids.erase(m_ids.begin(), m_ids.begin() + std::ptrdiff_t(m_prefixIndex));
    m_prefix = m_tokenizer.decode(m_ids, m_skipSpecial);
    m_prefixIndex = newPrefixIndex;
    return fresh;
}

std::string StreamDecoder::flush()
{
    const std::string text = m_tokenizer.decode(m_ids, m_skipSpecial);
    std::string rest;
    if (text.size() > m_prefix.size() && text.compare(0, m_prefix.size(), m_prefix) == 0)
        rest = text.substr(m_prefix.size());
    m_ids.clear();
    m_prefix.clear();
    m_prefixIndex = 0;
    return rest;
}

} // namespace ft
