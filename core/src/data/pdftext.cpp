#include "data/pdftext.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace ft {

namespace {

// Poppler prints its complaints about damaged files on stderr; the importer reports them itself.
void quietPoppler()
{
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function([](const std::string &, void *) {}, nullptr); });
}

std::string utf8(const poppler::ustring &s)
{
    const poppler::byte_array bytes = s.to_utf8();
    return std::string(bytes.begin(), bytes.end());
}

// The q-quantile (0..1) of v, 0 for none.
double quantile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

// A page's words (Poppler's reading order, with boxes) as lines, and a blank line where the
// vertical gap to the line above is clearly wider than the page's usual line spacing: the
// paragraph breaks the text alone cannot show.
std::string pageText(const poppler::page &page)
{
    struct Line
    {
        std::string text;
        double top, bottom;
    };
    std::vector<Line> lines;
    bool spaceAfter = false;
    for (const poppler::text_box &box : page.text_list()) {
        const poppler::rectf r = box.bbox();
        const std::string word = utf8(box.text());
        if (word.empty())
            continue;
        const double centre = r.y() + r.height() / 2;
        if (lines.empty() || centre < lines.back().top || centre > lines.back().bottom) {
            lines.push_back({word, r.y(), r.y() + r.height()});
        } else {
            Line &l = lines.back();
            l.text += (spaceAfter ? " " : "") + word;
            l.top = std::min(l.top, r.y());
            l.bottom = std::max(l.bottom, r.y() + r.height());
        }
        spaceAfter = box.has_space_after();
    }
    std::vector<double> gaps, heights;
    for (size_t i = 0; i < lines.size(); ++i) {
        heights.push_back(lines[i].bottom - lines[i].top);
        if (i > 0 && lines[i].top >= lines[i - 1].bottom)
            gaps.push_back(lines[i].top - lines[i - 1].bottom);
    }
    // The usual spacing is the lower quartile of the gaps: on a short page the paragraph gaps and
    // the gaps around headers and footers can be half of all gaps.
    const double usualGap = quantile(gaps, 0.25), height = quantile(heights, 0.5);
    const double paragraphGap = std::max(1.5 * usualGap, usualGap + 0.4 * height);
    std::string text;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            text += '\n';
            const double gap = lines[i].top - lines[i - 1].bottom;
            if (gap > 0 && gaps.size() >= 2 && gap > paragraphGap)
                text += '\n';
        }
        text += lines[i].text;
    }
    return text;
}

} // namespace

PdfPages readPdfPages(const std::filesystem::path &path)
{
    quietPoppler();
    PdfPages out;
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(path.string()));
    if (!doc) {
        out.error = "damaged or not a PDF (Poppler cannot open it; a password-protected PDF also reads so)";
        return out;
    }
    if (doc->is_locked()) {
        out.error = "encrypted PDF (needs a password)";
        return out;
    }
    const int n = doc->pages();
    if (n <= 0) {
        out.error = "PDF without pages";
        return out;
    }
    bool anyText = false;
    for (int i = 0; i < n; ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        std::string text;
        if (page)
            text = pageText(*page);
        if (text.find_first_not_of(" \t\r\n\f") != std::string::npos)
            anyText = true;
        out.pages.push_back(std::move(text));
    }
    if (!anyText)
        out.error = "no text layer (scanned?): " + std::to_string(n) + (n == 1 ? " page" : " pages") +
                    " without text; run OCR first";
    return out;
}

} // namespace ft
