// previewImport: the importer's own readers, column mapping, detection and normalisation, run
// over the first records only.
#include "ft/importpreview.h"

#include "data/normalise.h"
#include "data/recordreader.h"
#include "ft/error.h"

#include <algorithm>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

constexpr size_t kSampleRecords = 200; // as importDataset samples

fs::path firstDocument(const fs::path &folder)
{
    std::vector<fs::path> docs;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        if (it->is_regular_file(ec) && isDocumentFile(it->path()))
            docs.push_back(it->path());
    }
    if (docs.empty())
        throwBadInput(folder.string() + ": folder has no documents (.txt, .md, .html, .pdf or .docx files)");
    return *std::min_element(docs.begin(), docs.end());
}

} // namespace

ImportPreview previewImport(const fs::path &input, const ImportOptions &o, size_t maxRows)
{
    std::error_code ec;
    const bool folder = fs::is_directory(input, ec);
    const fs::path file = folder ? firstDocument(input) : input;
    if (!fs::exists(file, ec))
        throwBadInput(file.string() + ": file not found");
    const FileKind kind = folder ? documentFileKind(file) : sniffFileKind(file);
    if (!isBinaryDocument(kind)) {
        TextStream probe(file);
        if (probe.size() == 0 && !folder)  // a folder's empty document is a bad row
            throwBadInput(file.string() + ": empty file");
        if (probe.looksBinary())
            throwBadInput(file.string() + ": binary file (NUL bytes in the first 64 KiB), not text data");
    }
    const TextUnit unit = folder || o.textSplit == TextSplit::File ? TextUnit::File
                          : o.textSplit == TextSplit::Paragraph    ? TextUnit::Paragraph
                                                                   : TextUnit::Line;
    ImportPreview preview;
    preview.fileKind = fileKindName(kind);

    auto reader = openRecordReader(file, kind, unit);
    std::vector<SourceRecord> records;
    std::vector<json> sample;
    std::set<std::string> columns;
    SourceRecord r;
    size_t seen = 0;
    while (sample.size() < kSampleRecords && seen < 4 * kSampleRecords && reader->next(r)) {
        ++seen;
        if (records.size() < maxRows)
            records.push_back(r);
        if (!r.error.empty())
            continue;
        if (r.value.is_object())
            for (const auto &item : r.value.items())
                columns.insert(item.key());
        sample.push_back(applyColumnMap(r.value, o.columnMap));
    }
    if (seen == 0)
        throwBadInput(file.string() + ": no records (empty file)");
    preview.columns.assign(columns.begin(), columns.end());

    if (o.format != DataFormat::Auto) {
        preview.detection = {o.format, 1.0, "given"};
    } else if ((kind == FileKind::Text && o.columnMap.empty()) || isBinaryDocument(kind)) {
        preview.detection = {DataFormat::Text, 1.0, isBinaryDocument(kind) ? "document file" : "plain text file"};
    } else if (o.tags.empty()) {
        preview.detection = detectFormat(sample);
    } else {
        // detectFormat has no tags: vote per record with them, as the importer does.
        std::map<DataFormat, int> votes;
        std::map<DataFormat, std::string> whys;
        for (const auto &s : sample) {
            std::string why;
            const DataFormat f = classifyRecord(s, o.tags, &why);
            ++votes[f];
            whys[f] = why;
        }
        int best = 0;
        for (const auto &[f, n] : votes)
            if (f != DataFormat::Auto && n > best) {
                best = n;
                preview.detection.format = f;
            }
        if (best > 0) {
            preview.detection.confidence = double(best) / double(sample.size());
            preview.detection.reason = std::to_string(best) + " of " + std::to_string(sample.size()) +
                                       " sampled records have " + whys[preview.detection.format];
        } else {
            preview.detection.reason = "no sampled record matches a known format";
        }
    }

    const DataFormat format = preview.detection.format;
    for (auto &rec : records) {
        PreviewRow row;
        row.line = rec.line;
        row.original = rec.value;
        if (!rec.error.empty()) {
            row.problem = rec.error;
        } else if (format == DataFormat::Auto) {
            row.problem = "unknown format";
        } else {
            try {
                row.row = normaliseRecord(applyColumnMap(rec.value, o.columnMap), format, o.tags);
            } catch (const std::runtime_error &e) {
                if (dynamic_cast<const Error *>(&e))
                    throw;
                row.problem = e.what();
            }
        }
        preview.rows.push_back(std::move(row));
    }
    return preview;
}

} // namespace ft
