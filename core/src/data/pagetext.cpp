#include "data/pagetext.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace ft {

namespace {

constexpr size_t kEdgeLines = 3; // how deep into a page's top and bottom a running line may sit

std::string trim(const std::string &s)
{
    const char *ws = " \t\r\f\v";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

void trimBlankLines(std::vector<std::string> &lines)
{
    while (!lines.empty() && lines.back().empty())
        lines.pop_back();
    size_t first = 0;
    while (first < lines.size() && lines[first].empty())
        ++first;
    lines.erase(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(first));
}

std::vector<std::string> splitLines(const std::string &page)
{
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= page.size()) {
        size_t nl = page.find('\n', start);
        if (nl == std::string::npos)
            nl = page.size();
        lines.push_back(trim(page.substr(start, nl - start)));
        start = nl + 1;
    }
    trimBlankLines(lines);
    return lines;
}

// A running line's identity: case and spacing ignored, every number one '#' (page numbers and
// dates change from page to page, the rest of a header does not).
std::string runningKey(const std::string &line)
{
    std::string key;
    for (const char c : line) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (std::isdigit(u)) {
            if (key.empty() || key.back() != '#')
                key += '#';
        } else if (std::isspace(u)) {
            if (!key.empty() && key.back() != ' ')
                key += ' ';
        } else {
            key += static_cast<char>(std::tolower(u));
        }
    }
    return key;
}

bool isPageNumberKey(const std::string &key)
{
    static const std::set<std::string> forms = {
        "#", "- # -", "-#-", "— # —", "page #", "page # of #", "# of #", "# / #", "#/#", "p. #", "[#]", "(#)",
        "第 # 页", "第#页", "第 # 页 共 # 页", "第#页 共#页", "第#页，共#页"};
    return forms.count(key) > 0;
}

using Lines = std::vector<std::string>;

// Keys seen within kEdgeLines of the top (or bottom) of at least two pages and of 40 % of them,
// and (documents of 3+ pages) keys that are the very first (last) line of at least two pages:
// a book's running head changes with the chapter ("Chapter 2: Methods 17").
std::set<std::string> runningKeys(const std::vector<Lines> &pages, bool top)
{
    std::map<std::string, int> pagesWith, outermost;
    for (const auto &lines : pages) {
        if (!lines.empty())
            ++outermost[runningKey(top ? lines.front() : lines.back())];
        std::set<std::string> seen;
        for (size_t i = 0, taken = 0; i < lines.size() && taken < kEdgeLines; ++i) {
            const std::string &line = lines[top ? i : lines.size() - 1 - i];
            if (line.empty())
                continue; // blank lines between a header and the text do not count
            seen.insert(runningKey(line));
            ++taken;
        }
        for (const auto &k : seen)
            ++pagesWith[k];
    }
    std::set<std::string> out;
    const int nPages = static_cast<int>(pages.size());
    for (const auto &[key, count] : pagesWith)
        if (!key.empty() && count >= 2 && count * 5 >= nPages * 2)
            out.insert(key);
    if (nPages >= 3)
        for (const auto &[key, count] : outermost)
            if (!key.empty() && count >= 2)
                out.insert(key);
    return out;
}

void removeRunningLines(std::vector<Lines> &pages)
{
    if (pages.size() < 2)
        return;
    const std::set<std::string> top = runningKeys(pages, true), bottom = runningKeys(pages, false);
    auto running = [](const std::set<std::string> &keys, const std::string &line) {
        const std::string key = runningKey(line);
        return keys.count(key) > 0 || isPageNumberKey(key);
    };
    for (auto &lines : pages) {
        for (size_t removed = 0; removed < kEdgeLines && !lines.empty() && running(top, lines.front()); ++removed) {
            lines.erase(lines.begin());
            trimBlankLines(lines);
        }
        for (size_t removed = 0; removed < kEdgeLines && !lines.empty() && running(bottom, lines.back()); ++removed) {
            lines.pop_back();
            trimBlankLines(lines);
        }
    }
}

size_t codePoints(const std::string &s)
{
    size_t n = 0;
    for (const char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

UChar32 lastCodePoint(const std::string &s, size_t end)
{
    if (end == 0)
        return U_SENTINEL;
    int32_t i = static_cast<int32_t>(end);
    UChar32 c;
    U8_PREV(reinterpret_cast<const uint8_t *>(s.data()), 0, i, c);
    return c;
}

UChar32 firstCodePoint(const std::string &s)
{
    if (s.empty())
        return U_SENTINEL;
    int32_t i = 0;
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t *>(s.data()), i, static_cast<int32_t>(s.size()), c);
    return c;
}

bool isCjk(UChar32 c)
{
    if (c < 0)
        return false;
    const UBlockCode b = ublock_getCode(c);
    return b == UBLOCK_CJK_UNIFIED_IDEOGRAPHS || b == UBLOCK_CJK_UNIFIED_IDEOGRAPHS_EXTENSION_A ||
           b == UBLOCK_CJK_SYMBOLS_AND_PUNCTUATION || b == UBLOCK_HALFWIDTH_AND_FULLWIDTH_FORMS ||
           b == UBLOCK_HIRAGANA || b == UBLOCK_KATAKANA || b == UBLOCK_HANGUL_SYLLABLES;
}

bool endsSentence(const std::string &line)
{
    const UChar32 c = lastCodePoint(line, line.size());
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '"' || c == ')' ||
           c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF1A || c == 0x201D;
}

bool startsListItem(const std::string &line)
{
    const UChar32 c = firstCodePoint(line);
    if (c == 0x2022 || c == 0x25CF || c == 0x25AA || ((c == '-' || c == '*') && line.size() > 1 && line[1] == ' '))
        return true;
    size_t i = 0;
    while (i < line.size() && i < 3 && std::isdigit(static_cast<unsigned char>(line[i])))
        ++i;
    return i > 0 && i + 1 < line.size() && (line[i] == '.' || line[i] == ')') && line[i + 1] == ' ';
}

// The length a full line of running text reaches: the 75th percentile of the non-empty lines.
size_t typicalLineLength(const std::vector<Lines> &pages)
{
    std::vector<size_t> lengths;
    for (const auto &lines : pages)
        for (const auto &l : lines)
            if (!l.empty())
                lengths.push_back(codePoints(l));
    if (lengths.empty())
        return 0;
    std::sort(lengths.begin(), lengths.end());
    return lengths[lengths.size() * 3 / 4];
}

} // namespace

PagedText joinPages(const std::vector<std::string> &pageTexts)
{
    std::vector<Lines> pages;
    for (const auto &p : pageTexts)
        pages.push_back(splitLines(p));
    removeRunningLines(pages);
    const size_t typical = typicalLineLength(pages);

    PagedText out;
    std::string prev; // the last line appended, "" after a paragraph break
    for (const auto &lines : pages) {
        out.pageOffsets.push_back(out.text.size());
        bool firstOnPage = true;
        for (const auto &line : lines) {
            if (line.empty()) {
                prev.clear();
                continue;
            }
            const size_t prevLen = codePoints(prev);
            const bool shortLine = prevLen * 10 < typical * 6;
            // A short line without a full stop after a finished sentence: a heading.
            const bool heading = endsSentence(prev) && codePoints(line) * 10 < typical * 6 && !endsSentence(line);
            // "treat-" + "ment": a word cut at the line's end never ends a paragraph.
            const bool cutWord = !prev.empty() && prev.back() == '-' && u_isalpha(lastCodePoint(prev, prev.size() - 1)) &&
                                 u_islower(firstCodePoint(line));
            const bool breakBefore = prev.empty() || (!cutWord && (shortLine || heading || startsListItem(line) ||
                                                                   (endsSentence(prev) && prevLen * 100 < typical * 85)));
            if (out.text.empty()) {
                // the first line of the document
            } else if (breakBefore) {
                out.text += "\n\n";
            } else {
                const UChar32 last = lastCodePoint(out.text, out.text.size());
                const UChar32 beforeHyphen = lastCodePoint(out.text, out.text.size() - 1);
                const UChar32 next = firstCodePoint(line);
                if (last == '-' && u_isalpha(beforeHyphen) && u_islower(next))
                    out.text.pop_back(); // "treat-" "ment" -> "treatment"
                else if (last == '-' && u_isalpha(beforeHyphen))
                    ; // "COVID-" "19", "non-" "Hodgkin": a compound's own hyphen, kept
                else if (!(isCjk(last) && isCjk(next)))
                    out.text += ' ';
            }
            if (firstOnPage)
                out.pageOffsets.back() = out.text.size();
            firstOnPage = false;
            out.text += line;
            prev = line;
        }
    }
    return out;
}

} // namespace ft
