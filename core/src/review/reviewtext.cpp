#include "review/reviewtext.h"

#include "tokenizer/utf8.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>

namespace ft::review {

bool isAscii(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0x80) == 0; });
}

namespace {

// [A-Za-z0-9]: what std::isalnum says for ASCII, without a call into the C library per character.
bool isAsciiAlnum(char32_t cp)
{
    return (cp - '0' < 10) || ((cp | 0x20) - 'a' < 26);
}

bool isSpace(char32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    return u_isUWhiteSpace(static_cast<UChar32>(cp));
}

// Full-width forms U+FF01..U+FF5E are ASCII 0x21..0x7E; U+3000 is a space.
char32_t narrow(char32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFF01 + 0x21;
    if (cp == 0x3000)
        return ' ';
    return cp;
}

} // namespace

char32_t nextCodePoint(std::string_view s, std::size_t &pos)
{
    const auto b0 = static_cast<unsigned char>(s[pos]);
    if (b0 < 0x80) {
        ++pos;
        return b0;
    }
    int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
    if (len == 0 || b0 > 0xF4 || pos + len > s.size()) {
        ++pos;
        return 0xFFFD;
    }
    char32_t cp = b0 & (0x7F >> len);
    for (int i = 1; i < len; ++i) {
        const auto b = static_cast<unsigned char>(s[pos + i]);
        if ((b & 0xC0) != 0x80) {
            ++pos;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++pos;
        return 0xFFFD;
    }
    pos += len;
    return cp;
}

char32_t nextCodePointAt(std::string_view s)
{
    std::size_t pos = 0;
    return s.empty() ? 0 : nextCodePoint(s, pos);
}

std::size_t countCodePoints(std::string_view s)
{
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

bool isBlank(std::string_view s)
{
    std::size_t pos = 0;
    while (pos < s.size())
        if (!isSpace(nextCodePoint(s, pos)))
            return false;
    return true;
}

std::string normaliseForMatching(std::string_view text)
{
    if (isAscii(text)) {
        // One pass: lower case and collapsed spaces, written in place (never longer than the text).
        std::string out(text.size(), '\0');
        char *const begin = out.data();
        char *o = begin;
        bool pendingSpace = false;
        for (const char c : text) {
            if (isSpace(static_cast<unsigned char>(c))) {
                pendingSpace = o != begin;
                continue;
            }
            if (pendingSpace)
                *o++ = ' ';
            pendingSpace = false;
            *o++ = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        }
        out.resize(static_cast<std::size_t>(o - begin));
        return out;
    }
    std::string folded;
    {
        UErrorCode status = U_ZERO_ERROR;
        const icu::Normalizer2 *nfc = icu::Normalizer2::getNFCInstance(status);
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), int32_t(text.size())));
        if (U_SUCCESS(status)) {
            icu::UnicodeString n = nfc->normalize(u, status);
            if (U_SUCCESS(status))
                u = n;
        }
        u.foldCase(U_FOLD_CASE_DEFAULT);
        u.toUTF8String(folded);
    }
    std::string out;
    out.reserve(folded.size());
    bool pendingSpace = false;
    if (isAscii(folded)) { // the same loop without decoding: every byte is its own code point
        for (const char c : folded) {
            if (isSpace(static_cast<unsigned char>(c))) {
                pendingSpace = !out.empty();
                continue;
            }
            if (pendingSpace)
                out += ' ';
            pendingSpace = false;
            out += c;
        }
        return out;
    }
    std::size_t pos = 0;
    while (pos < folded.size()) {
        const char32_t cp = narrow(nextCodePoint(folded, pos));
        if (isSpace(cp)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace)
            out += ' ';
        pendingSpace = false;
        tok::appendUtf8(out, cp);
    }
    return out;
}

bool isCjkCharacter(char32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2FA1F) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

std::vector<std::string_view> splitWords(std::string_view text)
{
    std::vector<std::string_view> words;
    words.reserve(text.size() / 4);
    std::size_t pos = 0, start = std::string_view::npos;
    while (pos < text.size()) {
        const std::size_t at = pos;
        const char32_t cp = nextCodePoint(text, pos);
        const bool cjk = cp >= 0x3040 && isCjkCharacter(cp);
        const bool wordChar = !cjk && (cp < 0x80 ? isAsciiAlnum(cp) : u_isalnum(static_cast<UChar32>(cp)) != 0);
        if (wordChar) {
            if (start == std::string_view::npos)
                start = at;
            continue;
        }
        if (start != std::string_view::npos) {
            words.push_back(text.substr(start, at - start));
            start = std::string_view::npos;
        }
        if (cjk)
            words.push_back(text.substr(at, pos - at));
    }
    if (start != std::string_view::npos)
        words.push_back(text.substr(start));
    return words;
}

Script letterScript(char32_t cp)
{
    if (cp < 0x80)
        return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? Script::Latin : Script::None;
    if (!u_isalpha(static_cast<UChar32>(cp)))
        return Script::None;
    UErrorCode status = U_ZERO_ERROR;
    switch (uscript_getScript(static_cast<UChar32>(cp), &status)) {
    case USCRIPT_LATIN: return Script::Latin;
    case USCRIPT_HAN: return Script::Han;
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA: return Script::Kana;
    case USCRIPT_HANGUL: return Script::Hangul;
    case USCRIPT_CYRILLIC: return Script::Cyrillic;
    case USCRIPT_ARABIC: return Script::Arabic;
    case USCRIPT_GREEK: return Script::Greek;
    default: return Script::Other;
    }
}

const char *scriptName(Script s)
{
    static const char *names[] = {"latin", "han", "kana", "hangul", "cyrillic", "arabic", "greek", "other", "none"};
    return names[static_cast<int>(s)];
}

} // namespace ft::review
