// sacrebleu's tokenizers '13a' (mteval-v13a) and 'zh', character for character
// (sacrebleu/tokenizers/tokenizer_13a.py, tokenizer_zh.py, tokenizer_re.py).
#include "eval/evaltext.h"
#include "ft/evalmetrics.h"

#include <algorithm>
#include <iterator>

namespace ft {

namespace {

bool isDigit(char32_t c) { return c >= '0' && c <= '9'; }

// [\{-\~\[-\` -\&\(-\+\:-\@\/]
bool isSplitSymbol(char32_t c)
{
    return (c >= 0x7B && c <= 0x7E) || (c >= 0x5B && c <= 0x60) || (c >= 0x20 && c <= 0x26) ||
           (c >= 0x28 && c <= 0x2B) || (c >= 0x3A && c <= 0x40) || c == 0x2F;
}

bool isPeriodOrComma(char32_t c) { return c == '.' || c == ','; }

// re.sub of a two-character pattern: left to right, matches never overlap.
template <typename Match, typename Emit>
std::u32string substitutePairs(const std::u32string &s, Match match, Emit emit)
{
    std::u32string out;
    out.reserve(s.size() + s.size() / 2);
    std::size_t i = 0;
    while (i < s.size()) {
        if (i + 1 < s.size() && match(s[i], s[i + 1])) {
            emit(out, s[i], s[i + 1]);
            i += 2;
        } else {
            out.push_back(s[i++]);
        }
    }
    return out;
}

// TokenizerRegexp: the post-processing both tokenizers share.
std::u32string regexpTokenize(const std::u32string &line)
{
    std::u32string s;
    s.reserve(line.size() * 2);
    for (const char32_t c : line) {  // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 '
        if (isSplitSymbol(c)) {
            s.push_back(U' ');
            s.push_back(c);
            s.push_back(U' ');
        } else {
            s.push_back(c);
        }
    }
    // ([^0-9])([\.,]) -> '\1 \2 '
    s = substitutePairs(
        s, [](char32_t a, char32_t b) { return !isDigit(a) && isPeriodOrComma(b); },
        [](std::u32string &o, char32_t a, char32_t b) { o += {a, U' ', b, U' '}; });
    // ([\.,])([^0-9]) -> ' \1 \2'
    s = substitutePairs(
        s, [](char32_t a, char32_t b) { return isPeriodOrComma(a) && !isDigit(b); },
        [](std::u32string &o, char32_t a, char32_t b) { o += {U' ', a, U' ', b}; });
    // ([0-9])(-) -> '\1 \2 '
    s = substitutePairs(
        s, [](char32_t a, char32_t b) { return isDigit(a) && b == '-'; },
        [](std::u32string &o, char32_t a, char32_t b) { o += {a, U' ', b, U' '}; });
    std::u32string joined;
    for (const auto &w : eval::pySplit(s)) {
        if (!joined.empty())
            joined.push_back(U' ');
        joined += w;
    }
    return joined;
}

std::u32string replaceAll(std::u32string s, const std::u32string &from, const std::u32string &to)
{
    std::size_t pos = 0;
    while ((pos = s.find(from, pos)) != std::u32string::npos) {
        s.replace(pos, from.size(), to);
        pos += to.size();
    }
    return s;
}

std::u32string tokenize13a(std::u32string line)
{
    line = replaceAll(line, U"<skipped>", U"");
    line = replaceAll(line, U"-\n", U"");
    line = replaceAll(line, U"\n", U" ");
    if (line.find(U'&') != std::u32string::npos) {
        line = replaceAll(line, U"&quot;", U"\"");
        line = replaceAll(line, U"&amp;", U"&");
        line = replaceAll(line, U"&lt;", U"<");
        line = replaceAll(line, U"&gt;", U">");
    }
    return regexpTokenize(U" " + line + U" ");
}

// TokenizerZh._is_chinese_char as it behaves: its table's 5-hex-digit entries ('\u20000') are
// Python strings of two characters, so those two rows compare as U+2001..U+2A6D and
// U+2F81..U+2FA1 (the latter inside U+2E80..U+2FDF anyway). Measured over all code points.
bool isSacrebleuChinese(char32_t c)
{
    static const std::pair<char32_t, char32_t> ranges[] = {
        {0x2001, 0x2A6D}, {0x2E80, 0x2FDF}, {0x2FF0, 0x303F}, {0x3100, 0x312F},
        {0x31A0, 0x31EF}, {0x3200, 0x4DB5}, {0x4E00, 0x9FBB}, {0xF900, 0xFA2D},
        {0xFA30, 0xFA6A}, {0xFA70, 0xFAD9}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F},
        {0xFF00, 0xFFEF}};
    for (const auto &[first, last] : ranges)
        if (c >= first && c <= last)
            return true;
    return false;
}

std::u32string tokenizeZh(const std::u32string &text)
{
    std::u32string spaced;
    for (const char32_t c : eval::pyStrip(text)) {
        if (isSacrebleuChinese(c)) {
            spaced += {U' ', c, U' '};
        } else {
            spaced.push_back(c);
        }
    }
    return regexpTokenize(spaced);
}

} // namespace

std::string bleuTokenize(const std::string &text, BleuTokenizer tokenizer)
{
    // BLEU._preprocess_segment: rstrip, then the tokenizer.
    const std::u32string line = eval::pyRstrip(eval::toCodePoints(text));
    return eval::toUtf8(tokenizer == BleuTokenizer::Chinese ? tokenizeZh(line)
                                                            : tokenize13a(line));
}

} // namespace ft
