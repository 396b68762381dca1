// importDataset: files -> records -> normalised rows, written as one dataset in one transaction.
#include "ft/dataimport.h"

#include "data/normalise.h"
#include "data/recordpipeline.h"
#include "data/recordreader.h"
#include "data/sha256.h"
#include "ft/error.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

const char *dataFormatName(DataFormat format)
{
    switch (format) {
    case DataFormat::Auto: return "auto";
    case DataFormat::Alpaca: return "alpaca";
    case DataFormat::ShareGpt: return "sharegpt";
    case DataFormat::Messages: return "messages";
    case DataFormat::Text: return "text";
    case DataFormat::Preference: return "preference";
    case DataFormat::Choice: return "choice";
    }
    return "auto";
}

std::optional<DataFormat> parseDataFormat(const std::string &name)
{
    for (DataFormat f : {DataFormat::Auto, DataFormat::Alpaca, DataFormat::ShareGpt, DataFormat::Messages,
                         DataFormat::Text, DataFormat::Preference, DataFormat::Choice})
        if (name == dataFormatName(f))
            return f;
    return std::nullopt;
}

std::optional<TextSplit> parseTextSplit(const std::string &name)
{
    if (name == "auto") return TextSplit::Auto;
    if (name == "line") return TextSplit::Line;
    if (name == "paragraph") return TextSplit::Paragraph;
    if (name == "file") return TextSplit::File;
    return std::nullopt;
}

namespace {

FormatDetection detectWithTags(const std::vector<json> &records, const std::map<std::string, std::string> &tags)
{
    {
        std::map<DataFormat, int> votes;
        std::map<DataFormat, std::string> whys;
        std::set<std::string> fields;
        for (const auto &r : records) {
            std::string why;
            const DataFormat f = classifyRecord(r, tags, &why);
            ++votes[f];
            whys[f] = why;
            if (r.is_object())
                for (const auto &item : r.items())
                    fields.insert(item.key());
        }
        FormatDetection d;
        int best = 0;
        for (const auto &[f, n] : votes)
            if (f != DataFormat::Auto && n > best) {
                best = n;
                d.format = f;
            }
        const int total = static_cast<int>(records.size());
        if (best == 0) {
            std::string list;
            for (const auto &f : fields)
                list += (list.empty() ? "'" : ", '") + f + "'";
            d.reason = "no sampled record matches a known format (fields seen: " +
                       (list.empty() ? std::string("none") : list) + ")";
            return d;
        }
        d.confidence = total ? static_cast<double>(best) / total : 0;
        d.reason = std::to_string(best) + " of " + std::to_string(total) + " sampled records have " + whys[d.format];
        return d;
    }
}

constexpr size_t kSampleRecords = 200;

struct InputFile
{
    fs::path path;
    std::string source; // the name rows carry
    FileKind kind;
    TextUnit unit;
};

std::vector<InputFile> expandInputs(const std::vector<fs::path> &paths, TextSplit split)
{
    std::vector<InputFile> out;
    for (const auto &p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> docs;
            for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
                 it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (ec)
                    break;
                if (it->is_regular_file(ec) && isDocumentFile(it->path()))
                    docs.push_back(it->path());
            }
            if (docs.empty())
                throwBadInput(p.string() + ": folder has no documents (.txt, .md, .html, .pdf or .docx files)");
            std::sort(docs.begin(), docs.end());
            const TextUnit unit = split == TextSplit::Line ? TextUnit::Line
                                  : split == TextSplit::Paragraph ? TextUnit::Paragraph : TextUnit::File;
            for (const auto &d : docs)
                out.push_back({d, fs::relative(d, p, ec).generic_string(), documentFileKind(d), unit});
            continue;
        }
        if (!fs::exists(p, ec))
            throwBadInput(p.string() + ": file not found");
        const FileKind kind = sniffFileKind(p);
        const TextUnit unit = split == TextSplit::Paragraph ? TextUnit::Paragraph
                              : split == TextSplit::File ? TextUnit::File : TextUnit::Line;
        out.push_back({p, p.filename().string(), kind, unit});
    }
    return out;
}

std::string contentHash(const std::vector<InputFile> &files)
{
    Sha256 h;
    std::vector<char> buf(1 << 20);
    for (const auto &f : files) {
        if (files.size() > 1) { // several files: their names are part of the content
            h.update(f.source.data(), f.source.size());
            h.update("\0", 1);
        }
        std::FILE *fp = std::fopen(f.path.c_str(), "rb");
        if (!fp)
            throwBadInput(f.path.string() + ": cannot open");
        for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), fp)) > 0;)
            h.update(buf.data(), n);
        std::fclose(fp);
    }
    return h.hexDigest();
}

// The readers' errors name a line; the file is named here, where it is known.
[[noreturn]] void rethrowNamingFile(const fs::path &file, const Error &e)
{
    // Only the readers' "line N: ..." lack a file; the project's own errors name the project.
    const std::string what = e.what();
    if (e.kind() != ErrorKind::BadInput || what.rfind("line ", 0) != 0)
        throw e;
    throwBadInput(file.string() + ": " + what);
}

FormatDetection detectFileUnnamed(const InputFile &f, const ImportOptions &o)
{
    if (isBinaryDocument(f.kind))
        return {DataFormat::Text, 1.0, std::string(f.kind == FileKind::Pdf ? "PDF" : "Word") + " document (a document per file)"};
    if (f.kind == FileKind::Text && o.columnMap.empty())
        return {DataFormat::Text, 1.0, "plain text file (a document per " +
                                           std::string(f.unit == TextUnit::Line ? "line" : f.unit == TextUnit::Paragraph ? "blank-line block" : "file") + ")"};
    auto reader = openRecordReader(f.path, f.kind, f.unit);
    std::vector<json> sample;
    SourceRecord r;
    size_t seen = 0;
    int64_t firstBadLine = 0;
    std::string firstBad;
    while (sample.size() < kSampleRecords && seen < 4 * kSampleRecords && reader->next(r)) {
        ++seen;
        if (r.error.empty())
            sample.push_back(applyColumnMap(r.value, o.columnMap));
        else if (firstBad.empty())
            firstBadLine = r.line, firstBad = r.error;
    }
    if (seen == 0)
        throwBadInput(f.path.string() + ": no records (the file is empty or holds only blank lines)");
    FormatDetection d = detectWithTags(sample, o.tags);
    if (sample.empty())
        d.reason = "none of the first " + std::to_string(seen) + " records could be read (first: line " +
                   std::to_string(firstBadLine) + ": " + firstBad + ")";
    return d;
}

FormatDetection detectFile(const InputFile &f, const ImportOptions &o)
{
    try {
        return detectFileUnnamed(f, o);
    } catch (const Error &e) {
        rethrowNamingFile(f.path, e);
    }
}

std::string joinSources(const std::vector<fs::path> &paths)
{
    std::string s;
    for (const auto &p : paths)
        s += (s.empty() ? "" : ";") + fs::absolute(p).lexically_normal().string();
    return s;
}

} // namespace

FormatDetection detectFormat(const std::vector<json> &records)
{
    return detectWithTags(records, {});
}

ImportResult importDataset(ProjectStore &store, const std::vector<fs::path> &paths, const ImportOptions &o)
{
    if (paths.empty())
        throwBadInput("import: no files given");
    const std::vector<InputFile> files = expandInputs(paths, o.textSplit);
    for (const auto &f : files) {
        if (isBinaryDocument(f.kind))
            continue; // its reader reports an empty or unreadable file as a bad document
        TextStream probe(f.path);
        // A document per file: an empty one is an empty document, a bad row like any other.
        const bool document = f.kind == FileKind::Text && f.unit == TextUnit::File;
        if (probe.size() == 0 && !document)
            throwBadInput(f.path.string() + ": empty file");
        if (probe.looksBinary())
            throwBadInput(f.path.string() + ": binary file (NUL bytes in the first 64 KiB), not text data");
    }
    ImportResult result;
    std::string name = o.name;
    if (name.empty()) {
        fs::path first = paths.front().lexically_normal();
        if (first.filename().empty())
            first = first.parent_path(); // "folder/"
        name = fs::is_directory(first) ? first.filename().string() : first.stem().string();
    }
    if (store.findDataset(name))
        throwBadInput(store.path().string() + ": a dataset named '" + name + "' already exists (choose another --name)");
    const std::string hash = contentHash(files);
    if (auto dup = store.findDatasetByHash(hash)) {
        if (!o.allowDuplicate)
            throwBadInput(paths.front().string() + ": the same content is already in the project as dataset '" +
                          dup->name + "' (imported " + dup->importedAt + "); pass --allow-duplicate to import it again");
        result.duplicateOf = dup->name;
    }

    // The format: given, or detected per file (all files must agree).
    DataFormat format = o.format;
    if (format == DataFormat::Auto) {
        for (const auto &f : files) {
            const FormatDetection d = detectFile(f, o);
            if (d.format == DataFormat::Auto)
                throwBadInput(f.path.string() + ": cannot tell the format: " + d.reason +
                              "; give --format and --map column=field");
            if (format != DataFormat::Auto && d.format != format)
                throwBadInput(f.path.string() + ": looks like " + dataFormatName(d.format) + " but " +
                              files.front().path.string() + " looks like " + dataFormatName(format) +
                              "; import them separately");
            if (format == DataFormat::Auto)
                result.detection = d;
            format = d.format;
            if (d.confidence < result.detection.confidence)
                result.detection = d;
        }
    } else {
        result.detection = {format, 1.0, "given (--format)"};
    }

    json mapping = json::object();
    mapping["columns"] = o.columnMap;
    if (!o.tags.empty())
        mapping["tags"] = o.tags;
    mapping["file_kind"] = fileKindName(files.front().kind);
    std::vector<fs::path> sources(paths.begin(), paths.end());
    auto writer = store.beginDataset({name, joinSources(sources), dataFormatName(format), mapping, hash});

    uint64_t bytesTotal = 0, bytesBefore = 0;
    for (const auto &f : files) {
        std::error_code ec;
        bytesTotal += fs::file_size(f.path, ec);
    }
    ImportProgress progress{0, bytesTotal, 0};
    for (const auto &f : files) try {
        auto reader = openRecordReader(f.path, f.kind, f.unit);
        if (result.encoding.empty())
            result.encoding = reader->encoding();
        int64_t recordNo = 0;
        // Records are read and normalised on a second thread; rows are written here, in order.
        RecordPipeline pipe(*reader, [&](SourceRecord &rec) {
            NewRow row = normaliseRecord(applyColumnMap(rec.value, o.columnMap), format, o.tags);
            row.original = std::move(rec.value); // as it was in the file
            row.source = rec.subset.empty() ? f.source : f.source + ":" + rec.subset;
            return row;
        });
        std::vector<PipedRecord> batch;
        while (pipe.next(batch)) {
            for (PipedRecord &rec : batch) {
                ++recordNo;
                if (o.cancel && o.cancel->load())
                    throw Error(ErrorKind::Cancelled, "import cancelled; nothing was written");
                std::string reason = rec.reason;
                if (reason.empty()) {
                    try {
                        writer->addRow(*rec.row);
                    } catch (const std::runtime_error &e) {
                        if (dynamic_cast<const Error *>(&e))
                            throw;
                        reason = e.what();
                    }
                }
                if (!reason.empty()) {
                    ++result.badRowCount;
                    if (result.badRows.size() < o.maxBadRowsListed)
                        result.badRows.push_back({f.path.string(), rec.line, recordNo, reason});
                }
                if (o.progress && (recordNo & 4095) == 0) {
                    progress.bytesDone = bytesBefore + rec.bytesRead;
                    progress.rows = writer->rowsWritten();
                    o.progress(progress);
                }
            }
        }
        bytesBefore += reader->size();
        if (o.progress && files.size() > 1) { // a folder of documents: progress per file
            progress.bytesDone = bytesBefore;
            progress.rows = writer->rowsWritten();
            o.progress(progress);
        }
    } catch (const Error &e) {
        rethrowNamingFile(f.path, e);
    }
    if (writer->rowsWritten() == 0) {
        std::string first;
        if (!result.badRows.empty())
            first = "; first: " + result.badRows.front().file + " line " + std::to_string(result.badRows.front().line) +
                    ": " + result.badRows.front().reason;
        if (result.badRowCount == 0)
            throwBadInput(paths.front().string() + ": no records (the file is empty or holds only blank lines)");
        throwBadInput(paths.front().string() + ": no usable rows (" + std::to_string(result.badRowCount) + " bad" +
                      first + ")");
    }
    result.dataset = writer->commit();
    if (o.progress) {
        progress.bytesDone = bytesTotal;
        progress.rows = result.dataset.rowCount;
        o.progress(progress);
    }
    return result;
}

} // namespace ft
