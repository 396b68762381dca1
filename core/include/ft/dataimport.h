// Importing data files into a project, and exporting a cleaned dataset. Torch-free; see
// docs/datasets.md for the formats, the detection rules and the column mapping.
#pragma once

#include "ft/project.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ft {

enum class DataFormat { Auto, Alpaca, ShareGpt, Messages, Text, Preference, Choice };
const char *dataFormatName(DataFormat format);
std::optional<DataFormat> parseDataFormat(const std::string &name);

// How plain-text files are cut into documents: Auto is a line per document for a .txt/.md
// file and a whole file per document for a folder.
enum class TextSplit { Auto, Line, Paragraph, File };
std::optional<TextSplit> parseTextSplit(const std::string &name);

struct ImportProgress
{
    uint64_t bytesDone = 0;
    uint64_t bytesTotal = 0;
    int64_t rows = 0;
};

struct ImportOptions
{
    std::string name;                    // dataset name; default: the first file's stem
    DataFormat format = DataFormat::Auto;
    std::map<std::string, std::string> columnMap; // source column -> field (--map column=field)
    // ShareGPT tags (LLaMA-Factory's role_tag, content_tag, user_tag, assistant_tag, ...).
    std::map<std::string, std::string> tags;
    TextSplit textSplit = TextSplit::Auto;
    bool allowDuplicate = false;         // otherwise the same content twice is BadInput
    std::function<void(const ImportProgress &)> progress; // called every few thousand rows
    const std::atomic<bool> *cancel = nullptr; // set -> ErrorKind::Cancelled, nothing written
    size_t maxBadRowsListed = 100;
};

struct BadRow
{
    std::string file;
    int64_t line = 0;     // 1-based line where the record starts
    int64_t record = 0;   // 1-based record number in the file
    std::string reason;   // names the field
};

struct FormatDetection
{
    DataFormat format = DataFormat::Auto;
    double confidence = 0;   // 0..1
    std::string reason;
};

struct ImportResult
{
    DatasetInfo dataset;
    FormatDetection detection;
    std::string encoding;           // of the (first) file: utf-8, utf-8-bom, gb18030
    int64_t badRowCount = 0;
    std::vector<BadRow> badRows;    // the first maxBadRowsListed
    std::string duplicateOf;        // an earlier dataset with the same content (allowDuplicate)
};

// Imports files (JSON, JSONL, CSV, TSV, .txt/.md/.html, .pdf, .docx, or a folder of documents) as
// ONE dataset in one transaction. Bad records are counted and listed, not fatal; a file that cannot be read
// at all, no good rows, a name in use or duplicate content is BadInput and writes nothing.
ImportResult importDataset(ProjectStore &store, const std::vector<std::filesystem::path> &files,
                           const ImportOptions &options);

// Guesses the format of a sample of records (after the column mapping).
FormatDetection detectFormat(const std::vector<nlohmann::json> &records);

// LLaMA-Factory's dataset_info.json: each entry with a local file_name is imported as its own
// dataset (its formatting, columns and tags become the format and mapping). Entries whose file
// is missing, or that name a hub dataset, are listed with the reason; each entry commits alone.
struct RegistryEntry
{
    std::string name;
    std::string file;
    std::string status;   // "imported", "missing", "remote", "failed", "exists"
    std::string problem;
    std::optional<ImportResult> result;
};
std::vector<RegistryEntry> importRegistry(ProjectStore &store, const std::filesystem::path &datasetInfo,
                                          const ImportOptions &options);

// Export: JSONL written through a temporary file renamed into place.
struct ExportOptions
{
    std::string format = "alpaca";   // alpaca or messages
    bool onlyAccepted = false;       // otherwise every row that is not excluded
    std::string split;               // "" all, or train / validation / test
};
struct ExportResult
{
    int64_t written = 0;
    int64_t skipped = 0;             // rows the format cannot express (e.g. multi-turn with tools)
    std::string firstSkipReason;
};
ExportResult exportDataset(const ProjectStore &store, const std::string &datasetName,
                           const std::filesystem::path &out, const ExportOptions &options);

// A row as a training record: {"messages": [...]} with the system prompt first, or for an
// unedited Alpaca row the Alpaca record itself (instruction, input, output, system, history).
nlohmann::json trainingRecord(const ProjectRow &row, const DatasetInfo &dataset);

} // namespace ft
