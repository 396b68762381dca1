#include "data/htmltext.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace ft {
namespace {

bool startsWithNoCase(std::string_view s, size_t pos, std::string_view prefix)
{
    if (pos + prefix.size() > s.size())
        return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[pos + i])) != prefix[i])
            return false;
    return true;
}

// Case-insensitive search for `needle` (lower case) from `pos`; npos when absent.
size_t findNoCase(std::string_view s, std::string_view needle, size_t pos)
{
    for (; pos + needle.size() <= s.size(); ++pos)
        if (startsWithNoCase(s, pos, needle))
            return pos;
    return std::string_view::npos;
}

void appendUtf8(std::string &out, uint32_t cp)
{
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = 0xfffd;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// A character reference at s[pos] == '&': appended and its length returned, or 0 when it is not
// one (the '&' is then kept as text).
size_t decodeReference(std::string_view s, size_t pos, std::string &out)
{
    const size_t end = s.find(';', pos);
    if (end == std::string_view::npos || end - pos > 12)
        return 0;
    const std::string_view name = s.substr(pos + 1, end - pos - 1);
    if (name.size() > 1 && name[0] == '#') {
        const bool hex = name[1] == 'x' || name[1] == 'X';
        const std::string digits(name.substr(hex ? 2 : 1));
        if (digits.empty() || digits.size() > 8)
            return 0;
        char *stop = nullptr;
        const unsigned long cp = std::strtoul(digits.c_str(), &stop, hex ? 16 : 10);
        if (*stop != '\0')
            return 0;
        appendUtf8(out, static_cast<uint32_t>(std::min<unsigned long>(cp, 0x110000)));
        return end - pos + 1;
    }
    static const std::pair<std::string_view, uint32_t> kNamed[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", ' '},
        {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"copy", 0xa9}, {"middot", 0xb7}};
    for (const auto &[n, cp] : kNamed)
        if (name == n) {
            appendUtf8(out, cp);
            return end - pos + 1;
        }
    return 0;
}

bool isBlockTag(std::string_view tag)
{
    static const std::string_view kBlocks[] = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3",
                                               "h4", "h5", "h6", "tr", "table", "section", "article",
                                               "header", "footer", "blockquote", "pre", "hr", "dd",
                                               "dt", "title", "td", "th"};
    return std::find(std::begin(kBlocks), std::end(kBlocks), tag) != std::end(kBlocks);
}

// Collapses spaces within lines and keeps at most one blank line between paragraphs.
std::string tidy(const std::string &text)
{
    std::string out;
    out.reserve(text.size());
    int newlines = 0;
    bool space = false;
    for (const char c : text) {
        if (c == '\n') {
            ++newlines;
            space = false;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            space = true;
            continue;
        }
        if (!out.empty()) {
            if (newlines > 0)
                out.append(std::min(newlines, 2), '\n');
            else if (space)
                out += ' ';
        }
        newlines = 0;
        space = false;
        out += c;
    }
    return out;
}

} // namespace

bool isHtmlFileName(const std::string &fileName)
{
    std::string lower = fileName;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char *ext : {".html", ".htm", ".xhtml"}) {
        const std::string e(ext);
        if (lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0)
            return true;
    }
    return false;
}

std::string htmlToText(std::string_view html)
{
    std::string text;
    text.reserve(html.size() / 2);
    size_t i = 0;
    while (i < html.size()) {
        const char c = html[i];
        if (c == '&') {
            const size_t n = decodeReference(html, i, text);
            if (n == 0)
                text += '&';
            i += std::max<size_t>(n, 1);
            continue;
        }
        if (c != '<') {
            text += c;
            ++i;
            continue;
        }
        if (startsWithNoCase(html, i, "<!--")) {
            const size_t end = html.find("-->", i + 4);
            i = end == std::string_view::npos ? html.size() : end + 3;
            continue;
        }
        const size_t close = html.find('>', i);
        if (close == std::string_view::npos)
            break;  // a cut-off tag at the end
        size_t n = i + 1;
        const bool closing = n < html.size() && html[n] == '/';
        if (closing)
            ++n;
        std::string tag;
        while (n < close && tag.size() < 16 && std::isalnum(static_cast<unsigned char>(html[n])))
            tag += static_cast<char>(std::tolower(static_cast<unsigned char>(html[n++])));
        i = close + 1;
        if (!closing && (tag == "script" || tag == "style" || tag == "head")) {
            // Their content is no text: skip to the matching end tag.
            const size_t end = findNoCase(html, "</" + tag, i);
            i = end == std::string_view::npos ? html.size() : html.find('>', end);
            i = i == std::string_view::npos ? html.size() : i + 1;
            continue;
        }
        if (isBlockTag(tag))
            text += tag == "td" || tag == "th" ? ' ' : '\n';
    }
    return tidy(text);
}

} // namespace ft
