#include "tokenizer/utf8.h"

#include <array>

namespace ft::tok {

namespace {
inline bool isCont(unsigned char c) { return (c & 0xC0) == 0x80; }
}

int decodeUtf8(std::string_view text, std::size_t pos, char32_t *cp, int *badLen)
{
    const auto *p = reinterpret_cast<const unsigned char *>(text.data()) + pos;
    const std::size_t n = text.size() - pos;
    const unsigned char b0 = p[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    int width = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF)
        width = 2;
    else if (b0 >= 0xE0 && b0 <= 0xEF)
        width = 3;
    else if (b0 >= 0xF0 && b0 <= 0xF4)
        width = 4;
    if (width == 0) {
        *badLen = 1;
        return 0;
    }
    // Second byte ranges per Unicode table 3-7.
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 == 0xE0)
        lo = 0xA0;
    else if (b0 == 0xED)
        hi = 0x9F;
    else if (b0 == 0xF0)
        lo = 0x90;
    else if (b0 == 0xF4)
        hi = 0x8F;
    if (n < 2 || p[1] < lo || p[1] > hi) {
        *badLen = 1;
        return 0;
    }
    if (width == 2) {
        *cp = (char32_t(b0 & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (n < 3 || !isCont(p[2])) {
        *badLen = 2;
        return 0;
    }
    if (width == 3) {
        *cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if (n < 4 || !isCont(p[3])) {
        *badLen = 3;
        return 0;
    }
    *cp = (char32_t(b0 & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) | (char32_t(p[2] & 0x3F) << 6)
        | (p[3] & 0x3F);
    return 4;
}

bool isValidUtf8(std::string_view text)
{
    std::size_t i = 0;
    char32_t cp;
    int bad;
    while (i < text.size()) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i;
            continue;
        }
        const int len = decodeUtf8(text, i, &cp, &bad);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

std::string lossyUtf8(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    char32_t cp;
    int bad = 1;
    while (i < bytes.size()) {
        const int len = decodeUtf8(bytes, i, &cp, &bad);
        if (len > 0) {
            out.append(bytes.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            i += bad;
        }
    }
    return out;
}

void appendUtf8(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

int utf8CharLen(unsigned char b)
{
    if (b < 0xC0)
        return 1;
    if (b < 0xE0)
        return 2;
    if (b < 0xF0)
        return 3;
    return 4;
}

std::size_t codePointCount(std::string_view text)
{
    std::size_t n = 0;
    for (const char c : text)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++n;
    return n;
}

bool isUnicodeWhitespace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
}

namespace {

struct ByteLevelTables
{
    std::array<std::string, 256> toChar;
    std::array<int16_t, 324> toByte; // alphabet code points are all < 324
    ByteLevelTables()
    {
        toByte.fill(-1);
        std::array<char32_t, 256> cps{};
        std::array<bool, 256> direct{};
        for (int b = 0; b < 256; ++b)
            direct[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        int n = 0;
        for (int b = 0; b < 256; ++b)
            cps[b] = direct[b] ? char32_t(b) : char32_t(256 + n++);
        for (int b = 0; b < 256; ++b) {
            appendUtf8(toChar[b], cps[b]);
            toByte[cps[b]] = int16_t(b);
        }
    }
};

const ByteLevelTables &tables()
{
    static const ByteLevelTables t;
    return t;
}

} // namespace

const std::string &byteLevelChar(unsigned char b) { return tables().toChar[b]; }

int byteLevelByte(char32_t cp) { return cp < 324 ? tables().toByte[cp] : -1; }

std::string toByteLevel(std::string_view bytes)
{
    const auto &t = tables();
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        out += t.toChar[static_cast<unsigned char>(c)];
    return out;
}

bool fromByteLevel(std::string_view token, std::string &bytes)
{
    bytes.clear();
    std::size_t i = 0;
    char32_t cp;
    int bad;
    while (i < token.size()) {
        const int len = decodeUtf8(token, i, &cp, &bad);
        if (len == 0)
            return false;
        const int b = byteLevelByte(cp);
        if (b < 0)
            return false;
        bytes += char(b);
        i += len;
    }
    return true;
}

} // namespace ft::tok
