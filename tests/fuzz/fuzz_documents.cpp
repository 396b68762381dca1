// PDF and DOCX documents (folder imports): the bytes as a .docx (the zip reader: central
// directory, local headers, inflate with its bounds), as word/document.xml, as a .pdf through
// Poppler and the record reader, and as pages ('\f'-separated) for the page-text cleaning.
// Every problem is a record's error or a std::runtime_error with a reason; nothing else escapes.
#include "fuzzinput.h"

#include "data/docxtext.h"
#include "data/pagetext.h"
#include "data/recordreader.h"

#include <stdexcept>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    if (ft::docxXmlToText(bytes).size() > 4 * size + 16)
        __builtin_trap(); // the text grows only by decoded references
    const auto docx = ftfuzz::writeScratch(data, size, "doc.docx");
    try {
        ft::readDocxText(docx, uint64_t(1) << 20);
    } catch (const ft::Error &) {
        throw; // the zip reader reports with runtime_error only
    } catch (const std::runtime_error &) {
    }
    std::vector<std::string> pages(1);
    for (const char c : bytes) {
        if (c == '\f')
            pages.emplace_back();
        else
            pages.back() += c;
    }
    const ft::PagedText text = ft::joinPages(pages);
    if (text.pageOffsets.size() != pages.size() || text.text.size() > 2 * size + 16)
        __builtin_trap();
    for (const size_t offset : text.pageOffsets)
        if (offset > text.text.size())
            __builtin_trap();
    const auto pdf = ftfuzz::writeScratch(data, size, "doc.pdf");
    ftfuzz::expectOnlyBadInput([&] {
        for (const auto kind : {ft::FileKind::Pdf, ft::FileKind::Docx}) {
            auto reader = ft::openRecordReader(kind == ft::FileKind::Pdf ? pdf : docx, kind, ft::TextUnit::File);
            ft::SourceRecord r;
            while (reader->next(r)) {
            }
        }
    });
    return 0;
}
