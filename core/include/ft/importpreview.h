// A look at a data file before importing it (the studio's import wizard): the detected format
// with its confidence and reason, the columns seen, and the first records as they will be
// normalised. Reads only the first records. Torch-free; see docs/datasets.md.
#pragma once

#include "ft/dataimport.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ft {

struct PreviewRow
{
    int64_t line = 0;          // 1-based line where the record starts
    nlohmann::json original;   // the record as in the file
    NewRow row;                // normalised (valid when `problem` is empty)
    std::string problem;       // why this record would be a bad row
};

struct ImportPreview
{
    FormatDetection detection;       // or {format, 1, "given"} when options.format is set
    std::string fileKind;            // json, jsonl, csv, tsv, text, pdf, docx
    std::vector<std::string> columns; // the source columns of the sampled records, sorted
    std::vector<PreviewRow> rows;     // the first `maxRows` records
};

// Uses options.format, columnMap, tags and textSplit. BadInput when the file cannot be read,
// is empty or binary. A folder previews its first document (.txt/.md/.html/.pdf/.docx).
ImportPreview previewImport(const std::filesystem::path &file, const ImportOptions &options,
                            size_t maxRows = 20);

} // namespace ft
