#include "data/docxtext.h"

#include "data/zipreader.h"
#include "tokenizer/utf8.h"

#include <cstdlib>
#include <stdexcept>

namespace ft {

namespace {

// A numeric character reference's code point as UTF-8; U+FFFD for NUL, surrogates and values
// outside Unicode.
void appendCharacterReference(std::string &out, unsigned long cp)
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    tok::appendUtf8(out, static_cast<char32_t>(cp));
}

// Character data with the five named entities and numeric references decoded.
void appendXmlText(std::string &out, std::string_view text)
{
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        const size_t semi = text.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += '&';
            continue;
        }
        const std::string_view ref = text.substr(i + 1, semi - i - 1);
        if (ref == "amp") out += '&';
        else if (ref == "lt") out += '<';
        else if (ref == "gt") out += '>';
        else if (ref == "quot") out += '"';
        else if (ref == "apos") out += '\'';
        else if (ref.size() > 1 && ref[0] == '#') {
            const bool hex = ref[1] == 'x' || ref[1] == 'X';
            const std::string digits(ref.substr(hex ? 2 : 1));
            appendCharacterReference(out, std::strtoul(digits.c_str(), nullptr, hex ? 16 : 10));
        } else {
            out += '&';
            continue;
        }
        i = semi;
    }
}

std::string_view localName(std::string_view qname)
{
    const size_t colon = qname.find(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

} // namespace

std::string docxXmlToText(std::string_view xml)
{
    std::string out, para;
    bool inText = false;  // inside <w:t>
    int fallbackDepth = 0;
    bool inTabStops = false; // <w:tabs> in paragraph properties: tab stops, not tab characters
    auto endParagraph = [&] {
        const auto last = para.find_last_not_of(" \t\n");
        if (last != std::string::npos) {
            if (!out.empty())
                out += "\n\n";
            out.append(para, 0, last + 1);
        }
        para.clear();
    };
    size_t i = 0;
    while (i < xml.size()) {
        const size_t lt = xml.find('<', i);
        if (inText && fallbackDepth == 0)
            appendXmlText(para, xml.substr(i, (lt == std::string_view::npos ? xml.size() : lt) - i));
        if (lt == std::string_view::npos)
            break;
        if (xml.compare(lt, 4, "<!--") == 0) {
            const size_t end = xml.find("-->", lt + 4);
            i = end == std::string_view::npos ? xml.size() : end + 3;
            continue;
        }
        const size_t gt = xml.find('>', lt);
        if (gt == std::string_view::npos)
            break;
        std::string_view tag = xml.substr(lt + 1, gt - lt - 1);
        i = gt + 1;
        if (tag.empty() || tag[0] == '?' || tag[0] == '!')
            continue;
        const bool closing = tag[0] == '/';
        const bool selfClosing = tag.back() == '/';
        if (closing)
            tag.remove_prefix(1);
        const std::string_view qname = tag.substr(0, tag.find_first_of(" \t\r\n/"));
        const std::string_view name = localName(qname);
        if (qname == "mc:Fallback") {
            if (!selfClosing)
                fallbackDepth += closing ? -1 : 1;
            continue;
        }
        if (fallbackDepth > 0)
            continue;
        if (name == "t" && qname != "m:t") { // m:t is an equation's text: left out like other math
            inText = !closing && !selfClosing;
        } else if (name == "p" && (closing || selfClosing)) {
            endParagraph();
        } else if (name == "tabs" && !selfClosing) {
            inTabStops = !closing;
        } else if (!closing && name == "tab" && !inTabStops) {
            para += '\t';
        } else if (!closing && (name == "br" || name == "cr")) {
            para += '\n';
        }
    }
    endParagraph();
    return out;
}

std::string readDocxText(const std::filesystem::path &path, uint64_t maxXmlBytes)
{
    const ZipReader zip(path);
    const ZipReader::Entry *doc = zip.find("word/document.xml");
    if (!doc)
        throw std::runtime_error("not a Word document (the archive has no word/document.xml)");
    return docxXmlToText(zip.read(*doc, maxXmlBytes));
}

} // namespace ft
