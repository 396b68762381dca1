#include "tokenizer/normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>

namespace ft::tok {
namespace {

// Unicode NFC as tokenizers' NFC normalizer (ASCII is already NFC: skip the conversion).
std::string toNfc(const std::string &text)
{
    if (std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; }))
        return text;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2 *nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status))
        return text;
    const icu::UnicodeString normalized =
        nfc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), int32_t(text.size()))), status);
    if (U_FAILURE(status))
        return text;
    std::string out;
    normalized.toUTF8String(out);
    return out;
}

} // namespace

void Normalizer::addNfc()
{
    m_steps.push_back({Step::Kind::Nfc, {}, {}, nullptr});
}

void Normalizer::addPrepend(std::string text)
{
    m_steps.push_back({Step::Kind::Prepend, std::move(text), {}, nullptr});
}

void Normalizer::addReplace(std::string pattern, std::string content)
{
    m_steps.push_back({Step::Kind::Replace, std::move(pattern), std::move(content), nullptr});
}

void Normalizer::addRegexReplace(std::shared_ptr<RegexSplitter> regex, std::string content)
{
    m_steps.push_back({Step::Kind::RegexReplace, {}, std::move(content), std::move(regex)});
}

std::string Normalizer::apply(std::string_view text) const
{
    std::string cur(text);
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const Step &s : m_steps) {
        switch (s.kind) {
        case Step::Kind::Prepend:
            if (!cur.empty()) // tokenizers prepends only to non-empty text
                cur.insert(0, s.a);
            break;
        case Step::Kind::Replace: {
            if (s.a.empty())
                break;
            std::string out;
            out.reserve(cur.size());
            std::size_t pos = 0;
            for (;;) {
                const std::size_t hit = cur.find(s.a, pos);
                if (hit == std::string::npos)
                    break;
                out.append(cur, pos, hit - pos);
                out += s.b;
                pos = hit + s.a.size();
            }
            out.append(cur, pos, std::string::npos);
            cur.swap(out);
            break;
        }
        case Step::Kind::RegexReplace: {
            s.regex->findAll(cur, spans);
            std::string out;
            std::size_t pos = 0;
            for (const auto &[b, e] : spans) {
                out.append(cur, pos, b - pos);
                out += s.b;
                pos = e;
            }
            out.append(cur, pos, std::string::npos);
            cur.swap(out);
            break;
        }
        case Step::Kind::Nfc:
            cur = toNfc(cur);
            break;
        }
    }
    return cur;
}

} // namespace ft::tok
