// Streaming readers that turn a data file into records (JSON objects), one at a time, with the
// line each record starts on: JSON (a list, or an object of lists), JSONL, CSV / TSV (RFC 4180),
// plain text (a document per line, per blank-line block or per file), and PDF / DOCX (a document
// per file, data/documentreaders.cpp). Memory is bounded by the largest record, not the file.
#pragma once

#include "data/textstream.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace ft {

struct SourceRecord
{
    nlohmann::json value;   // an object, or null when `error` is set
    std::string error;      // why this record could not be read
    int64_t line = 0;       // 1-based line where the record starts
    std::string subset;     // the key of an object-of-lists file ("" otherwise)
};

enum class FileKind { Json, Jsonl, Csv, Tsv, Text, Pdf, Docx };
enum class TextUnit { Line, Paragraph, File };

const char *fileKindName(FileKind kind);

class RecordReader
{
public:
    virtual ~RecordReader() = default;
    // false at the end of the file.
    virtual bool next(SourceRecord &record) = 0;
    // "utf-8", "gb18030", ... for text files; "pdf" or "docx" for those.
    virtual std::string encoding() const = 0;
    virtual uint64_t bytesRead() const = 0; // of the file, for progress
    virtual uint64_t size() const = 0;      // of the file
};

// A reader over a TextStream (every kind but PDF and DOCX).
class TextRecordReader : public RecordReader
{
public:
    virtual const TextStream &stream() const = 0;
    std::string encoding() const override { return stream().encoding(); }
    uint64_t bytesRead() const override { return stream().bytesRead(); }
    uint64_t size() const override { return stream().size(); }
};

// The kind of file, from its extension and, for .json, its first bytes (a .json file of one
// object per line is JSONL).
FileKind sniffFileKind(const std::filesystem::path &path);

// A document file a folder import takes: .txt, .md / .markdown, .html / .htm / .xhtml, .pdf, .docx.
bool isDocumentFile(const std::filesystem::path &path);
// How a document file is read: Pdf, Docx, or Text (a whole file per document).
FileKind documentFileKind(const std::filesystem::path &path);
// PDF and DOCX: binary containers, a document per file, no text encoding to sniff.
inline bool isBinaryDocument(FileKind kind) { return kind == FileKind::Pdf || kind == FileKind::Docx; }
// Reads a PDF or DOCX file as one {"text": ...} record (documentreaders.cpp).
std::unique_ptr<RecordReader> openBinaryDocumentReader(const std::filesystem::path &path, FileKind kind);

// Lines longer than this are reported as bad rows rather than held in memory.
constexpr size_t kMaxRecordBytes = size_t(64) << 20;

std::unique_ptr<RecordReader> openRecordReader(const std::filesystem::path &path, FileKind kind,
                                               TextUnit textUnit);

} // namespace ft
