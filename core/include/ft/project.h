// The project store: one SQLite file per project (*.ftproj) holding datasets, their rows (the
// original record and its normalised conversation), per-row findings, edits, splits, and tables
// for runs, metrics, checkpoints, comparisons and ratings. Torch-free; see docs/datasets.md.
//
// Threads: a ProjectStore is one SQLite connection and is NOT shared between threads. Open one
// ProjectStore per thread on the same file (WAL: readers do not block the writer; a second writer
// waits up to 10 s, then fails with BadInput "project is busy").
#pragma once

#include "ft/chattemplate.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ft {

// sft: a conversation with at least one assistant turn; preference: chosen/rejected pair
// (messages hold the prompt and the chosen reply); choice: multiple choice (messages hold the
// question with its options and the answer letter); text: raw text for continued pre-training
// (messages hold one {"role": "text"} entry).
enum class RowKind { Sft, Preference, Choice, Text };
enum class RowStatus { Pending, Accepted, Excluded };

const char *rowKindName(RowKind kind);
const char *rowStatusName(RowStatus status);
std::optional<RowKind> parseRowKind(const std::string &name);
std::optional<RowStatus> parseRowStatus(const std::string &name);

struct DatasetInfo
{
    int64_t id = 0;
    std::string name;
    std::string sourcePath;  // the imported file(s), ';'-separated
    std::string format;      // alpaca, sharegpt, messages, text, preference, choice
    nlohmann::json columnMapping = nlohmann::json::object(); // source column -> field, and tags
    std::string contentHash; // of the imported bytes
    std::string importedAt;  // UTC, ISO 8601
    int64_t rowCount = 0;
    int64_t findingCount = 0;
};

struct ProjectRow
{
    int64_t id = 0;      // rows.id (stable)
    int64_t index = 0;   // 0-based position in its dataset; contiguous
    std::string source;  // the file (or registry subset) the row came from
    nlohmann::json original;            // the record as it was in the file
    std::vector<ChatMessage> messages;  // normalised at import; without the system prompt
    std::string system;                 // the system prompt ("" when none)
    RowKind kind = RowKind::Sft;
    RowStatus status = RowStatus::Pending;
    std::optional<std::vector<ChatMessage>> edited; // a user edit; `messages` keeps the import
    std::string split;    // "train", "validation", "test" or "" (not split)
    int64_t findingCount = 0;

    const std::vector<ChatMessage> &effectiveMessages() const { return edited ? *edited : messages; }
};

// A quality finding on one row (written by the review).
struct Finding
{
    int64_t rowIndex = 0;
    std::string kind;      // e.g. "exact_duplicate", "pii_email"
    std::string severity;  // "info", "warning" or "error"
    nlohmann::json detail = nlohmann::json::object();
};

// A row handed to DatasetWriter::addRow.
struct NewRow
{
    std::string source;
    nlohmann::json original;
    std::vector<ChatMessage> messages;
    std::string system;
    RowKind kind = RowKind::Sft;
};

// A row as the project stores it: NewRow with its JSON written out. An import encodes on its
// reading thread, so that the thread writing to SQLite only inserts (data/recordpipeline.h).
struct EncodedRow
{
    std::string source;
    std::string originalJson;
    std::string messagesJson;
    std::string system;
    RowKind kind = RowKind::Sft;
};
EncodedRow encodeRow(NewRow row);

struct NewDataset
{
    std::string name;
    std::string sourcePath;
    std::string format;
    nlohmann::json columnMapping = nlohmann::json::object();
    std::string contentHash;
};

class ProjectStore;

// Writes one dataset inside one transaction: nothing is visible (or left behind) unless commit()
// is called; destroying an uncommitted writer rolls everything back. One writer at a time per
// ProjectStore, and it must not outlive the store; other writes on that store wait for it.
class DatasetWriter
{
public:
    ~DatasetWriter();
    DatasetWriter(const DatasetWriter &) = delete;
    DatasetWriter &operator=(const DatasetWriter &) = delete;

    void addRow(const NewRow &row);
    void addRow(const EncodedRow &row);
    int64_t rowsWritten() const { return m_rows; }
    int64_t datasetId() const { return m_datasetId; }
    DatasetInfo commit();
    void rollback();

private:
    friend class ProjectStore;
    DatasetWriter(ProjectStore &store, int64_t datasetId);
    ProjectStore &m_store;
    int64_t m_datasetId;
    int64_t m_rows = 0;
    bool m_open = true;
};

// Which rows a filtered view shows: those with `status` (nullopt: any) and at least one finding
// of `findingKind` ("": any).
struct RowFilter
{
    std::optional<RowStatus> status;
    std::string findingKind;

    bool any() const { return !status && findingKind.empty(); }
};

struct SplitOptions
{
    double validation = 0.1;
    double test = 0.0;
    uint64_t seed = 42;
    bool stratifyBySource = false;
};

struct SplitCounts
{
    int64_t train = 0, validation = 0, test = 0;
};

class ProjectStore
{
public:
    static constexpr int kSchemaVersion = 4;

    // Opens (creating when missing, unless mustExist) and migrates to kSchemaVersion. A file that
    // is not SQLite, or was written by a newer schema, is BadInput naming the file.
    explicit ProjectStore(const std::filesystem::path &file, bool mustExist = false);
    ~ProjectStore();
    ProjectStore(const ProjectStore &) = delete;
    ProjectStore &operator=(const ProjectStore &) = delete;

    const std::filesystem::path &path() const;
    int schemaVersion() const;

    std::vector<DatasetInfo> datasets() const;
    std::optional<DatasetInfo> findDataset(const std::string &name) const;
    DatasetInfo dataset(const std::string &name) const; // BadInput when absent
    std::optional<DatasetInfo> findDatasetByHash(const std::string &contentHash) const;
    void removeDataset(int64_t datasetId);  // with its rows, findings and review
    // Renames a dataset (leading and trailing white space dropped); BadInput when the name is
    // empty, taken by another dataset, or the id unknown.
    void renameDataset(int64_t datasetId, const std::string &newName);

    // Starts writing a new dataset (BadInput when the name is taken).
    std::unique_ptr<DatasetWriter> beginDataset(const NewDataset &info);

    // Rows. Paged reads use the (dataset, index) index: cost does not grow with the offset.
    int64_t rowCount(int64_t datasetId) const;
    int64_t rowCount(int64_t datasetId, RowStatus status) const;
    std::vector<ProjectRow> rows(int64_t datasetId, int64_t offset, int64_t limit) const;
    ProjectRow row(int64_t datasetId, int64_t index) const; // BadInput when out of range

    // Filtered views, answered from indexes (rows by status, findings by kind): the matches in
    // index order, counted, paged by position among the matches, and the position of one row
    // (-1 when it does not match). A position skips over index entries only, never rows.
    int64_t rowCount(int64_t datasetId, const RowFilter &filter) const;
    std::vector<ProjectRow> rows(int64_t datasetId, const RowFilter &filter, int64_t position, int64_t limit) const;
    int64_t filteredPosition(int64_t datasetId, const RowFilter &filter, int64_t index) const;
    // Streams the rows in index order; return false from `visit` to stop.
    void forEachRow(int64_t datasetId, const std::function<bool(const ProjectRow &)> &visit) const;

    // Per-row changes; each call is one transaction. Indices out of range are BadInput.
    void setStatus(int64_t datasetId, const std::vector<int64_t> &indices, RowStatus status);
    void editRow(int64_t datasetId, int64_t index, const std::vector<ChatMessage> &messages);
    void revertEdit(int64_t datasetId, int64_t index);

    // Findings: replaces the dataset's findings (all of them, or only those whose kind is in
    // `kinds` when given) with `findings`, in one transaction.
    void replaceFindings(int64_t datasetId, const std::vector<Finding> &findings,
                         const std::vector<std::string> &kinds = {});
    std::vector<Finding> findings(int64_t datasetId) const;
    std::vector<Finding> rowFindings(int64_t datasetId, int64_t index) const;
    int64_t findingCount(int64_t datasetId) const;
    // The distinct finding kinds of a dataset, sorted (without reading the findings' details).
    std::vector<std::string> findingKinds(int64_t datasetId) const;

    // Seeded split of all rows of a dataset (replacing an earlier one), one transaction.
    SplitCounts assignSplits(int64_t datasetId, const SplitOptions &options);
    SplitCounts splitCounts(int64_t datasetId) const;
    bool hasSplits(int64_t datasetId) const;

    // For the few callers that need SQL (tests, benches, migrations): the sqlite3 handle.
    void *nativeHandle() const;

private:
    friend class DatasetWriter;
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Splits "P.ftproj#name" into the project file and the dataset name; nullopt when `spec` does
// not name a project dataset.
std::optional<std::pair<std::filesystem::path, std::string>> parseProjectDataset(const std::string &spec);

std::string messagesToJson(const std::vector<ChatMessage> &messages);
// BadInput naming `where` when `j` is not a list of {role, content} strings.
std::vector<ChatMessage> messagesFromJson(const nlohmann::json &j, const std::string &where);

} // namespace ft
