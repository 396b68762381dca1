#include "data/pdftext.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

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
        if (page) {
            const poppler::byte_array utf8 =
                page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout).to_utf8();
            text.assign(utf8.begin(), utf8.end());
        }
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
