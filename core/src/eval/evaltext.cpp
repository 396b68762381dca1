#include "eval/evaltext.h"

#include "tokenizer/utf8.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>

namespace ft::eval {

std::u32string toCodePoints(const std::string &utf8)
{
    std::u32string out;
    out.reserve(utf8.size());
    const auto *s = reinterpret_cast<const unsigned char *>(utf8.data());
    const std::size_t n = utf8.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char b = s[i];
        int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        char32_t cp = len == 1 ? b : len == 2 ? b & 0x1F : len == 3 ? b & 0x0F : b & 0x07;
        bool ok = len > 0 && i + len <= n;
        for (int k = 1; ok && k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (!ok) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

std::string toUtf8(const std::u32string &text)
{
    std::string out;
    out.reserve(text.size());
    for (const char32_t cp : text)
        tok::appendUtf8(out, cp);
    return out;
}

std::u32string pyLower(const std::u32string &text)
{
    bool ascii = true;
    for (const char32_t cp : text)
        ascii = ascii && cp < 0x80;
    if (ascii) {  // the common case, without the UTF-16 round trip
        std::u32string out = text;
        for (char32_t &cp : out)
            if (cp >= 'A' && cp <= 'Z')
                cp += 'a' - 'A';
        return out;
    }
    std::u16string utf16;
    utf16.reserve(text.size());
    for (const char32_t cp : text) {
        if (cp >= 0x10000) {
            utf16.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
            utf16.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
        } else {
            utf16.push_back(static_cast<char16_t>(cp));
        }
    }
    std::u16string lowered(utf16.size() * 3 + 4, u'\0');
    UErrorCode status = U_ZERO_ERROR;
    const int32_t len = u_strToLower(reinterpret_cast<UChar *>(lowered.data()),
                                     static_cast<int32_t>(lowered.size()),
                                     reinterpret_cast<const UChar *>(utf16.data()),
                                     static_cast<int32_t>(utf16.size()), "", &status);
    if (U_FAILURE(status))
        return text;  // cannot happen with a 3x buffer; keep the text rather than lose it
    std::u32string out;
    out.reserve(len);
    for (int32_t i = 0; i < len; ++i) {
        const char16_t u = lowered[i];
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < len) {
            out.push_back(0x10000 + ((char32_t(u) - 0xD800) << 10) + (lowered[i + 1] - 0xDC00));
            ++i;
        } else {
            out.push_back(u);
        }
    }
    return out;
}

bool pyIsSpace(char32_t cp)
{
    if (cp <= 0x20)
        return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::vector<std::u32string> pySplit(const std::u32string &text)
{
    std::vector<std::u32string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && pyIsSpace(text[i]))
            ++i;
        const std::size_t start = i;
        while (i < text.size() && !pyIsSpace(text[i]))
            ++i;
        if (i > start)
            words.push_back(text.substr(start, i - start));
    }
    return words;
}

std::u32string pyRstrip(const std::u32string &text)
{
    std::size_t end = text.size();
    while (end > 0 && pyIsSpace(text[end - 1]))
        --end;
    return text.substr(0, end);
}

std::u32string pyStrip(const std::u32string &text)
{
    std::size_t start = 0;
    while (start < text.size() && pyIsSpace(text[start]))
        ++start;
    return pyRstrip(text.substr(start));
}

bool pyIsWordChar(char32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    return (U_GET_GC_MASK(static_cast<UChar32>(cp)) & (U_GC_L_MASK | U_GC_N_MASK)) != 0;
}

bool isUnicodePunctuation(char32_t cp)
{
    return u_ispunct(static_cast<UChar32>(cp)) != 0;
}

bool isCjk(char32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2FA1F) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

} // namespace ft::eval
