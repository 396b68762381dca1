#include "data/recordreader.h"

#include "data/csvrowreader.h"
#include "data/htmltext.h"

#include "ft/error.h"
#include "ft/jsonparse.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

const char *fileKindName(FileKind kind)
{
    switch (kind) {
    case FileKind::Json: return "json";
    case FileKind::Jsonl: return "jsonl";
    case FileKind::Csv: return "csv";
    case FileKind::Tsv: return "tsv";
    case FileKind::Text: return "text";
    case FileKind::Pdf: return "pdf";
    case FileKind::Docx: return "docx";
    }
    return "text";
}

namespace {

// Buffered characters with a line count.
class CharReader
{
public:
    explicit CharReader(TextStream &s) : m_s(s), m_buf(1 << 16) {}
    int peek()
    {
        if (m_pos == m_end && !fill())
            return -1;
        return static_cast<unsigned char>(m_buf[m_pos]);
    }
    int get()
    {
        const int c = peek();
        if (c >= 0) {
            ++m_pos;
            if (c == '\n')
                ++m_line;
        }
        return c;
    }
    int64_t line() const { return m_line; }
    void skipSpace()
    {
        for (int c = peek(); c == ' ' || c == '\t' || c == '\r' || c == '\n'; c = peek())
            get();
    }
    // Reads up to and including the next '\n' into `line` (without "\r\n"); false at the end.
    // A line longer than `limit` is consumed but truncated; `tooLong` says so.
    bool readLine(std::string &line, size_t limit, bool &tooLong)
    {
        line.clear();
        tooLong = false;
        if (peek() < 0)
            return false;
        for (;;) {
            if (m_pos == m_end && !fill())
                break;
            const char *begin = m_buf.data() + m_pos;
            const auto *nl = static_cast<const char *>(std::memchr(begin, '\n', m_end - m_pos));
            const size_t n = nl ? static_cast<size_t>(nl - begin) : m_end - m_pos;
            if (line.size() + n <= limit)
                line.append(begin, n);
            else
                tooLong = true;
            m_pos += n;
            if (nl) {
                ++m_pos;
                ++m_line;
                break;
            }
        }
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        return true;
    }

private:
    bool fill()
    {
        m_pos = 0;
        m_end = m_s.read(m_buf.data(), m_buf.size());
        return m_end > 0;
    }
    TextStream &m_s;
    std::vector<char> m_buf;
    size_t m_pos = 0, m_end = 0;
    int64_t m_line = 1;
};

// A character from the input as a message may quote it: printable ASCII as is, else \xNN.
std::string quotedChar(int c)
{
    if (c >= 0x20 && c < 0x7f)
        return std::string("'") + static_cast<char>(c) + "'";
    static const char *hex = "0123456789abcdef";
    return std::string("byte \\x") + hex[(c >> 4) & 15] + hex[c & 15];
}

void parseRecord(const std::string &text, SourceRecord &r)
{
    if (jsonNestingDepth(text) > kMaxJsonDepth) {
        r.error = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
        return;
    }
    try {
        r.value = json::parse(text);
        if (!r.value.is_object()) {
            r.error = std::string("expected a JSON object, found ") + r.value.type_name();
            r.value = nullptr;
        }
    } catch (const json::exception &e) {
        r.error = "not valid JSON: " + jsonErrorText(e);
    }
}

// JSON: a list of records, or an object whose values are lists of records. Each element is cut
// out by bracket and string tracking and parsed on its own, so a syntax error costs one record
// (the reader resumes at the next top-level comma) and memory holds one element at a time.
class JsonReader : public TextRecordReader
{
public:
    explicit JsonReader(const fs::path &path) : m_stream(path), m_in(m_stream) {}
    const TextStream &stream() const override { return m_stream; }

    bool next(SourceRecord &r) override
    {
        r = SourceRecord();
        if (m_state == State::Start)
            start();
        while (m_state != State::Done) {
            if (m_state == State::InList) {
                if (nextElement(r))
                    return true;
                m_state = m_outerObject ? State::InObject : State::Done;
            } else if (nextList(r)) {
                return true; // a non-list value under a key, reported as a bad record
            }
        }
        return false;
    }

private:
    enum class State { Start, InList, InObject, Done };

    void start()
    {
        m_in.skipSpace();
        const int c = m_in.get();
        if (c == '[') {
            m_state = State::InList;
        } else if (c == '{') {
            m_outerObject = true;
            m_state = State::InObject;
        } else if (c < 0) {
            m_state = State::Done;
        } else {
            throwBadInput("line " + std::to_string(m_in.line()) +
                          ": expected a JSON list of records or an object of lists");
        }
    }

    // Reads one JSON value's text up to (not including) the ',' / ']' / '}' that ends it; past
    // kMaxRecordBytes it keeps scanning without storing (`tooLong`). False at the end of file.
    bool captureValue(std::string &text, bool &tooLong)
    {
        int depth = 0;
        bool inString = false, escape = false;
        tooLong = false;
        for (;;) {
            const int c = m_in.peek();
            if (c < 0)
                return false;
            if (inString) {
                if (escape)
                    escape = false;
                else if (c == '\\')
                    escape = true;
                else if (c == '"')
                    inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                ++depth;
            } else if (c == ']' || c == '}') {
                if (depth == 0)
                    return true;
                --depth;
            } else if (c == ',' && depth == 0) {
                return true;
            }
            m_in.get();
            if (text.size() < kMaxRecordBytes)
                text.push_back(static_cast<char>(c));
            else
                tooLong = true;
        }
    }

    // One element of the current list: true with a record (or its error), false at the list's end.
    bool nextElement(SourceRecord &r)
    {
        m_in.skipSpace();
        int c = m_in.peek();
        bool separated = !m_sawElement;
        if (c == ',' && m_sawElement) {
            m_in.get();
            m_in.skipSpace();
            c = m_in.peek();
            separated = true;
        }
        if (c == ']') {
            m_in.get();
            return false;
        }
        r.line = m_in.line();
        r.subset = m_subset;
        if (c < 0) {
            r.error = "unexpected end of file inside the list (missing ']')";
            m_state = State::Done;
            return true;
        }
        if (!separated && c >= 0) {
            // e.g. `{...}}]`: a stray character after a record. Consume it, so that reading
            // always moves forward, and report it.
            m_in.get();
            r.error = "expected ',' or ']' after a record, found " + quotedChar(c);
            return true;
        }
        m_sawElement = true;
        std::string text;
        bool tooLong = false;
        if (!captureValue(text, tooLong)) {
            r.error = "unexpected end of file inside a record";
            m_state = State::Done;
            return true;
        }
        if (text.empty() && !tooLong) {
            m_in.get(); // a ',' or '}' where a record should start: step over it
            r.error = "expected a record, found " + quotedChar(c);
            return true;
        }
        if (tooLong)
            r.error = "record longer than 64 MiB";
        else
            parseRecord(text, r);
        return true;
    }

    // In the outer object: reads `"key": ` and enters its list. True with a bad record when the
    // value is not a list; false otherwise (state updated).
    bool nextList(SourceRecord &r)
    {
        m_in.skipSpace();
        int c = m_in.peek();
        if (c == ',') {
            m_in.get();
            m_in.skipSpace();
            c = m_in.peek();
        }
        if (c == '}' || c < 0) {
            m_in.get();
            m_state = State::Done;
            return false;
        }
        r.line = m_in.line();
        std::string keyText;
        if (c != '"' || !readString(keyText)) {
            r.error = "expected a quoted key in the top-level object";
            m_state = State::Done;
            return true;
        }
        m_in.skipSpace();
        if (m_in.get() != ':') {
            r.error = "expected ':' after a key in the top-level object";
            m_state = State::Done;
            return true;
        }
        m_in.skipSpace();
        try {
            m_subset = json::parse(keyText).get<std::string>();
        } catch (const json::exception &) {
            m_subset = keyText;
        }
        if (m_in.peek() == '[') {
            m_in.get();
            m_sawElement = false;
            m_state = State::InList;
            return false;
        }
        std::string skipped;
        bool tooLong = false;
        captureValue(skipped, tooLong);
        r.subset = m_subset;
        r.error = "key '" + m_subset + "' is not a list of records";
        return true;
    }

    bool readString(std::string &text)
    {
        text.push_back(static_cast<char>(m_in.get())); // opening quote
        bool escape = false;
        for (int c = m_in.get(); c >= 0; c = m_in.get()) {
            text.push_back(static_cast<char>(c));
            if (escape)
                escape = false;
            else if (c == '\\')
                escape = true;
            else if (c == '"')
                return true;
        }
        return false;
    }

    TextStream m_stream;
    CharReader m_in;
    State m_state = State::Start;
    bool m_outerObject = false;
    bool m_sawElement = false;
    std::string m_subset;
};

// JSON Lines: one object per line; blank lines are skipped; a bad line costs that record.
class JsonlReader : public TextRecordReader
{
public:
    explicit JsonlReader(const fs::path &path) : m_stream(path), m_in(m_stream) {}
    const TextStream &stream() const override { return m_stream; }

    bool next(SourceRecord &r) override
    {
        r = SourceRecord();
        bool tooLong = false;
        for (;;) {
            const int64_t line = m_in.line();
            if (!m_in.readLine(m_line, kMaxRecordBytes, tooLong))
                return false;
            r.line = line;
            if (tooLong) {
                r.error = "line longer than 64 MiB";
                return true;
            }
            if (m_line.find_first_not_of(" \t") == std::string::npos)
                continue;
            parseRecord(m_line, r);
            return true;
        }
    }

private:
    TextStream m_stream;
    CharReader m_in;
    std::string m_line;
};

} // namespace

struct CsvRowReader::Impl
{
    Impl(const fs::path &path, char sep) : stream(path), in(stream), sep(sep) {}
    TextStream stream;
    CharReader in;
    char sep;
};

CsvRowReader::CsvRowReader(const fs::path &path, char sep) : m_impl(std::make_unique<Impl>(path, sep)) {}
CsvRowReader::~CsvRowReader() = default;
const TextStream &CsvRowReader::stream() const { return m_impl->stream; }

bool CsvRowReader::next(std::vector<std::string> &fields, int64_t &line, std::string &err)
{
    CharReader &in = m_impl->in;
    const char sep = m_impl->sep;
    fields.clear();
    err.clear();
    if (in.peek() < 0)
        return false;
    line = in.line();
    std::string field;
    size_t total = 0;
    bool quoted = false, wasQuoted = false;
    for (;;) {
        const int c = in.get();
        if (c < 0) {
            if (quoted)
                err = "a quoted field is not closed before the end of the file";
            fields.push_back(std::move(field));
            return true;
        }
        if (++total > kMaxRecordBytes) {
            err = "record longer than 64 MiB";
            // Skip to the end of the physical line and resynchronise there.
            for (int d = in.get(); d >= 0 && d != '\n'; d = in.get()) {
            }
            return true;
        }
        if (quoted) {
            if (c == '"') {
                if (in.peek() == '"') {
                    in.get();
                    field.push_back('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push_back(static_cast<char>(c));
            }
            continue;
        }
        if (c == '"' && field.empty() && !wasQuoted) {
            quoted = wasQuoted = true;
        } else if (c == sep) {
            fields.push_back(std::move(field));
            field.clear();
            wasQuoted = false;
        } else if (c == '\n' || (c == '\r' && in.peek() == '\n')) {
            if (c == '\r')
                in.get();
            fields.push_back(std::move(field));
            return true;
        } else {
            if (wasQuoted && err.empty())
                err = "field " + std::to_string(fields.size() + 1) + ": text after a closing quote";
            field.push_back(static_cast<char>(c));
        }
    }
}

namespace {

// CSV / TSV after RFC 4180: a header row names the columns; fields may be quoted ("" is a quote),
// quoted fields may hold the separator and newlines; CRLF or LF ends a record. A record with a
// different number of fields than the header is a bad row.
class CsvReader : public TextRecordReader
{
public:
    CsvReader(const fs::path &path, char sep) : m_rows(path, sep) {}
    const TextStream &stream() const override { return m_rows.stream(); }

    bool next(SourceRecord &r) override
    {
        r = SourceRecord();
        if (!m_headerRead) {
            m_headerRead = true;
            std::vector<std::string> header;
            std::string err;
            int64_t line = 0;
            if (!m_rows.next(header, line, err))
                return false;
            if (!err.empty())
                throwBadInput("line " + std::to_string(line) + ": header row: " + err);
            for (size_t i = 0; i < header.size(); ++i) {
                std::string name = header[i];
                name.erase(0, name.find_first_not_of(" \t"));
                name.erase(name.find_last_not_of(" \t") + 1);
                if (name.empty())
                    name = "column" + std::to_string(i + 1);
                if (std::find(m_header.begin(), m_header.end(), name) != m_header.end())
                    throwBadInput("line " + std::to_string(line) + ": header row: column '" + name +
                                  "' appears twice");
                m_header.push_back(name);
            }
        }
        std::vector<std::string> fields;
        std::string err;
        for (;;) {
            if (!m_rows.next(fields, r.line, err))
                return false;
            if (fields.size() == 1 && fields[0].empty() && err.empty())
                continue; // blank line
            break;
        }
        if (!err.empty()) {
            r.error = err;
            return true;
        }
        if (fields.size() != m_header.size()) {
            r.error = std::to_string(fields.size()) + " fields where the header has " +
                      std::to_string(m_header.size());
            return true;
        }
        for (size_t i = 0; i < fields.size(); ++i)
            if (!isValidUtf8(fields[i].data(), fields[i].size())) {
                r.error = "column '" + m_header[i] + "': invalid UTF-8";
                return true;
            }
        r.value = json::object();
        for (size_t i = 0; i < fields.size(); ++i)
            r.value[m_header[i]] = std::move(fields[i]);
        return true;
    }

private:
    CsvRowReader m_rows;
    bool m_headerRead = false;
    std::vector<std::string> m_header;
};

// Plain text: {"text": ...} per line, per blank-line block, or for the whole file.
class TextReader : public TextRecordReader
{
public:
    // An HTML file is one document, its tags stripped (data/htmltext.h).
    TextReader(const fs::path &path, TextUnit unit)
        : m_stream(path), m_in(m_stream), m_html(isHtmlFileName(path.filename().string())),
          m_unit(m_html ? TextUnit::File : unit)
    {
    }
    const TextStream &stream() const override { return m_stream; }

    bool next(SourceRecord &r) override
    {
        r = SourceRecord();
        if (m_done)
            return false;
        std::string doc;
        bool tooLong = false, any = false;
        for (;;) {
            const int64_t line = m_in.line();
            if (!m_in.readLine(m_line, kMaxRecordBytes, tooLong))
                break;
            const bool blank = m_line.find_first_not_of(" \t") == std::string::npos;
            if (m_unit == TextUnit::Line) {
                if (blank)
                    continue;
                r.line = line;
                if (tooLong)
                    r.error = "line longer than 64 MiB";
                else if (!isValidUtf8(m_line.data(), m_line.size()))
                    r.error = "invalid UTF-8";
                else
                    r.value = {{"text", m_line}};
                return true;
            }
            if (m_unit == TextUnit::Paragraph && blank) {
                if (any)
                    break;
                continue;
            }
            if (!any)
                r.line = line;
            else
                doc += '\n';
            any = true;
            if (tooLong || doc.size() + m_line.size() > kMaxRecordBytes)
                r.error = "document longer than 64 MiB";
            else
                doc += m_line;
        }
        if (m_unit == TextUnit::File) {
            m_done = true;
            if (!any) {  // a file per document: an empty file is an empty document, reported
                r.line = 1;
                r.error = "empty document (the file has no text)";
                return true;
            }
        }
        if (!any)
            return false;
        if (m_html && r.error.empty())
            doc = htmlToText(doc);
        while (!doc.empty() && (doc.back() == '\n' || doc.back() == ' ' || doc.back() == '\t'))
            doc.pop_back();
        if (r.error.empty() && !isValidUtf8(doc.data(), doc.size()))
            r.error = "invalid UTF-8";
        if (r.error.empty() && doc.find_first_not_of(" \t\r\n") == std::string::npos)
            r.error = "empty document (only white space" + std::string(m_html ? " and markup)" : ")");
        if (r.error.empty())
            r.value = {{"text", doc}};
        return true;
    }

private:
    TextStream m_stream;
    CharReader m_in;
    bool m_html;
    TextUnit m_unit;
    std::string m_line;
    bool m_done = false;
};

} // namespace

bool isDocumentFile(const fs::path &path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".txt" || ext == ".md" || ext == ".markdown" || ext == ".pdf" || ext == ".docx" ||
           isHtmlFileName(path.filename().string());
}

FileKind documentFileKind(const fs::path &path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".pdf" ? FileKind::Pdf : ext == ".docx" ? FileKind::Docx : FileKind::Text;
}

FileKind sniffFileKind(const fs::path &path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".jsonl" || ext == ".ndjson")
        return FileKind::Jsonl;
    if (ext == ".csv")
        return FileKind::Csv;
    if (ext == ".pdf")
        return FileKind::Pdf;
    if (ext == ".docx")
        return FileKind::Docx;
    if (ext == ".tsv" || ext == ".tab")
        return FileKind::Tsv;
    if (ext == ".json") {
        // A .json file whose first line is a complete object, followed by more, is JSON Lines.
        TextStream s(path);
        std::string head(1 << 16, '\0');
        head.resize(s.read(head.data(), head.size()));
        const auto first = head.find_first_not_of(" \t\r\n");
        if (first != std::string::npos && head[first] == '{') {
            const auto nl = head.find('\n', first);
            if (nl != std::string::npos && json::accept(head.substr(first, nl - first)) &&
                head.find_first_not_of(" \t\r\n", nl) != std::string::npos)
                return FileKind::Jsonl;
        }
        return FileKind::Json;
    }
    return FileKind::Text;
}

std::unique_ptr<RecordReader> openRecordReader(const fs::path &path, FileKind kind, TextUnit textUnit)
{
    switch (kind) {
    case FileKind::Json: return std::make_unique<JsonReader>(path);
    case FileKind::Jsonl: return std::make_unique<JsonlReader>(path);
    case FileKind::Csv: return std::make_unique<CsvReader>(path, ',');
    case FileKind::Tsv: return std::make_unique<CsvReader>(path, '\t');
    case FileKind::Text: return std::make_unique<TextReader>(path, textUnit);
    case FileKind::Pdf:
    case FileKind::Docx: return openBinaryDocumentReader(path, kind);
    }
    return nullptr;
}

} // namespace ft
