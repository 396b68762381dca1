// PDF and DOCX files as documents: one {"text": ...} record per file. A PDF's record also keeps
// its pages ("pages": [first, last], "page_starts": the byte offset of each page in the text), so
// the review can point back into the file. A file that cannot be read (encrypted, damaged, a
// scanned PDF without a text layer, an empty document) is one bad record with the reason.
#include "data/docxtext.h"
#include "data/pagetext.h"
#include "data/pdftext.h"
#include "data/recordreader.h"

#include <stdexcept>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

class BinaryDocumentReader : public RecordReader
{
public:
    BinaryDocumentReader(const fs::path &path, FileKind kind) : m_path(path), m_kind(kind)
    {
        std::error_code ec;
        m_size = fs::file_size(path, ec);
        if (ec)
            m_size = 0;
    }
    std::string encoding() const override { return fileKindName(m_kind); }
    uint64_t bytesRead() const override { return m_done ? m_size : 0; }
    uint64_t size() const override { return m_size; }

    bool next(SourceRecord &r) override
    {
        r = SourceRecord();
        if (m_done)
            return false;
        m_done = true;
        r.line = 1;
        if (m_size == 0) {
            r.error = "empty document (the file is empty)";
            return true;
        }
        json value = json::object();
        if (m_kind == FileKind::Pdf) {
            const PdfPages pdf = readPdfPages(m_path);
            if (!pdf.error.empty()) {
                r.error = pdf.error;
                return true;
            }
            PagedText paged = joinPages(pdf.pages);
            value["text"] = std::move(paged.text);
            value["pages"] = {1, static_cast<int64_t>(pdf.pages.size())};
            value["page_starts"] = paged.pageOffsets;
        } else {
            try {
                value["text"] = readDocxText(m_path);
            } catch (const std::runtime_error &e) {
                r.error = e.what();
                return true;
            }
        }
        const std::string &text = value["text"].get_ref<const std::string &>();
        if (text.size() > kMaxRecordBytes)
            r.error = "document longer than 64 MiB";
        else if (!isValidUtf8(text.data(), text.size()))
            r.error = "invalid UTF-8 in the document's text";
        else if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            r.error = m_kind == FileKind::Pdf ? "no text layer (scanned?)" : "empty document (no text in word/document.xml)";
        if (r.error.empty())
            r.value = std::move(value);
        return true;
    }

private:
    fs::path m_path;
    FileKind m_kind;
    uint64_t m_size = 0;
    bool m_done = false;
};

} // namespace

std::unique_ptr<RecordReader> openBinaryDocumentReader(const fs::path &path, FileKind kind)
{
    return std::make_unique<BinaryDocumentReader>(path, kind);
}

} // namespace ft
