// ProjectStore: datasets, rows, edits and findings in the project's SQLite file.
#include "ft/project.h"

#include "data/projectschema.h"
#include "data/sqlitedb.h"
#include "data/storedmessages.h"
#include "ft/error.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <random>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

const char *const kRowColumns =
    "SELECT r.id, r.idx, r.source, r.original, r.messages, r.system, r.kind, r.status, r.edited, "
    "coalesce(s.split, ''), (SELECT count(*) FROM findings f WHERE f.row_id = r.id) "
    "FROM rows r LEFT JOIN splits s ON s.row_id = r.id ";

json parseStored(const std::string &text)
{
    return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

ProjectRow readRow(const sql::Stmt &q)
{
    ProjectRow r;
    r.id = q.integer(0);
    r.index = q.integer(1);
    r.source = q.text(2);
    r.original = parseStored(q.text(3));
    readStoredMessages(q.view(4), r.messages, r.index);
    r.system = q.text(5);
    r.kind = parseRowKind(q.text(6)).value_or(RowKind::Sft);
    r.status = parseRowStatus(q.text(7)).value_or(RowStatus::Pending);
    if (!q.isNull(8))
        readStoredMessages(q.view(8), r.edited.emplace(), r.index, /*edited=*/true);
    r.split = q.text(9);
    r.findingCount = q.integer(10);
    return r;
}

DatasetInfo readDataset(const sql::Stmt &q)
{
    DatasetInfo d;
    d.id = q.integer(0);
    d.name = q.text(1);
    d.sourcePath = q.text(2);
    d.format = q.text(3);
    d.columnMapping = parseStored(q.text(4));
    if (d.columnMapping.is_discarded())
        d.columnMapping = json::object();
    d.contentHash = q.text(5);
    d.importedAt = q.text(6);
    d.rowCount = q.integer(7);
    d.findingCount = q.integer(8);
    return d;
}

const char *const kDatasetColumns =
    "SELECT d.id, d.name, d.source_path, d.format, d.column_mapping, d.content_hash, d.imported_at, "
    "d.row_count, (SELECT count(*) FROM findings f JOIN rows r ON r.id = f.row_id WHERE r.dataset_id = d.id) "
    "FROM datasets d ";

} // namespace

std::optional<std::pair<fs::path, std::string>> parseProjectDataset(const std::string &spec)
{
    const auto hash = spec.rfind('#');
    if (hash == std::string::npos || hash == 0)
        return std::nullopt;
    const std::string file = spec.substr(0, hash);
    if (fs::path(file).extension() != ".ftproj")
        return std::nullopt;
    return std::make_pair(fs::path(file), spec.substr(hash + 1));
}

struct ProjectStore::Impl
{
    sql::Db db;
    fs::path file;
    int version = 0;
    bool writing = false;
    std::unique_ptr<sql::Stmt> insertRow;

    int64_t rowId(int64_t datasetId, int64_t index)
    {
        sql::Stmt q(db, "SELECT id FROM rows WHERE dataset_id = ? AND idx = ?");
        q.bind(1, datasetId).bind(2, index);
        if (!q.step())
            throwBadInput(file.string() + ": dataset " + std::to_string(datasetId) + " has no row " +
                          std::to_string(index));
        return q.integer(0);
    }
    // The dataset's first and last row id when its rows hold exactly that range (see filterSql).
    std::optional<std::pair<int64_t, int64_t>> idRange(int64_t datasetId);
    void requireIdle() const
    {
        if (writing)
            throw Error(ErrorKind::Internal, "project store: a dataset import is in progress on this connection");
    }
};

ProjectStore::ProjectStore(const fs::path &file, bool mustExist) : d(std::make_unique<Impl>())
{
    d->file = file;
    d->db.open(file.string(), mustExist);
    try {
        d->db.exec("PRAGMA foreign_keys = ON");
        // journal_mode is the first real read of the file: a non-database fails here (BadInput).
        d->db.exec("PRAGMA journal_mode = WAL");
        d->db.exec("PRAGMA synchronous = NORMAL");
        migrateProject(d->db);
    } catch (const Error &e) {
        // Opening reads only the schema: an SQL error here (a table that should not exist, a
        // damaged schema) means the file, not the program, is at fault.
        if (e.kind() != ErrorKind::Internal)
            throw;
        std::string detail = e.what();
        const std::string prefix = file.string() + ": ";
        if (detail.rfind(prefix, 0) == 0)
            detail = detail.substr(prefix.size());
        throwBadInput(prefix + "project file is damaged or was not written by FineTune Studio (" + detail + ")");
    }
    d->version = kSchemaVersion;
}

ProjectStore::~ProjectStore() = default;

const fs::path &ProjectStore::path() const { return d->file; }
int ProjectStore::schemaVersion() const { return d->version; }
void *ProjectStore::nativeHandle() const { return d->db.handle(); }

std::vector<DatasetInfo> ProjectStore::datasets() const
{
    sql::Stmt q(d->db, (std::string(kDatasetColumns) + "ORDER BY d.id").c_str());
    std::vector<DatasetInfo> out;
    while (q.step())
        out.push_back(readDataset(q));
    return out;
}

std::optional<DatasetInfo> ProjectStore::findDataset(const std::string &name) const
{
    sql::Stmt q(d->db, (std::string(kDatasetColumns) + "WHERE d.name = ?").c_str());
    q.bind(1, name);
    if (!q.step())
        return std::nullopt;
    return readDataset(q);
}

DatasetInfo ProjectStore::dataset(const std::string &name) const
{
    if (auto info = findDataset(name))
        return *info;
    std::string names;
    for (const auto &ds : datasets())
        names += (names.empty() ? "" : ", ") + ds.name;
    throwBadInput(d->file.string() + ": no dataset named '" + name + "'" +
                  (names.empty() ? std::string(" (the project has none)") : " (it has: " + names + ")"));
}

std::optional<DatasetInfo> ProjectStore::findDatasetByHash(const std::string &contentHash) const
{
    sql::Stmt q(d->db, (std::string(kDatasetColumns) + "WHERE d.content_hash = ? ORDER BY d.id").c_str());
    q.bind(1, contentHash);
    if (!q.step())
        return std::nullopt;
    return readDataset(q);
}

void ProjectStore::removeDataset(int64_t datasetId)
{
    d->requireIdle();
    sql::Transaction tx(d->db);
    sql::Stmt(d->db, "DELETE FROM datasets WHERE id = ?").bind(1, datasetId).run();
    tx.commit();
}

void ProjectStore::renameDataset(int64_t datasetId, const std::string &newName)
{
    d->requireIdle();
    std::string name = newName;
    const auto first = name.find_first_not_of(" \t\r\n");
    name = first == std::string::npos ? std::string()
                                      : name.substr(first, name.find_last_not_of(" \t\r\n") - first + 1);
    if (name.empty())
        throwBadInput(d->file.string() + ": a dataset needs a name");
    sql::Stmt q(d->db, "SELECT name FROM datasets WHERE id = ?");
    q.bind(1, datasetId);
    if (!q.step())
        throwBadInput(d->file.string() + ": no dataset with id " + std::to_string(datasetId));
    if (q.text(0) == name)
        return;
    if (const auto other = findDataset(name); other && other->id != datasetId)
        throwBadInput(d->file.string() + ": a dataset named '" + name + "' already exists");
    sql::Transaction tx(d->db);
    sql::Stmt(d->db, "UPDATE datasets SET name = ? WHERE id = ?").bind(1, name).bind(2, datasetId).run();
    tx.commit();
}

std::unique_ptr<DatasetWriter> ProjectStore::beginDataset(const NewDataset &info)
{
    d->requireIdle();
    if (info.name.empty())
        throwBadInput(d->file.string() + ": a dataset needs a name");
    if (findDataset(info.name))
        throwBadInput(d->file.string() + ": a dataset named '" + info.name +
                      "' already exists (choose another --name)");
    d->db.exec("BEGIN IMMEDIATE");
    try {
        sql::Stmt ins(d->db, "INSERT INTO datasets(name, source_path, format, column_mapping, content_hash, "
                             "imported_at) VALUES (?, ?, ?, ?, ?, ?)");
        ins.bind(1, info.name).bind(2, info.sourcePath).bind(3, info.format)
            .bind(4, info.columnMapping.dump()).bind(5, info.contentHash).bind(6, sql::utcNow());
        ins.run();
        d->insertRow = std::make_unique<sql::Stmt>(
            d->db, "INSERT INTO rows(dataset_id, idx, source, original, messages, system, kind) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)");
    } catch (...) {
        sqlite3_exec(d->db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    d->writing = true;
    return std::unique_ptr<DatasetWriter>(
        new DatasetWriter(*this, sqlite3_last_insert_rowid(d->db.handle())));
}

DatasetWriter::DatasetWriter(ProjectStore &store, int64_t datasetId) : m_store(store), m_datasetId(datasetId) {}

DatasetWriter::~DatasetWriter()
{
    if (m_open)
        rollback();
}

void DatasetWriter::addRow(const NewRow &row)
{
    addRow(encodeRow(row));
}

void DatasetWriter::addRow(const EncodedRow &row)
{
    if (!m_open)
        throw Error(ErrorKind::Internal, "DatasetWriter: addRow after commit or rollback");
    sql::Stmt &q = *m_store.d->insertRow;
    q.bind(1, m_datasetId).bind(2, m_rows).bind(3, row.source).bind(4, row.originalJson)
        .bind(5, row.messagesJson).bind(6, row.system).bind(7, std::string(rowKindName(row.kind)));
    q.run();
    ++m_rows;
}

DatasetInfo DatasetWriter::commit()
{
    auto &d = *m_store.d;
    sql::Stmt(d.db, "UPDATE datasets SET row_count = ? WHERE id = ?").bind(1, m_rows).bind(2, m_datasetId).run();
    d.insertRow.reset();
    d.db.exec("COMMIT");
    m_open = false;
    d.writing = false;
    sql::Stmt q(d.db, (std::string(kDatasetColumns) + "WHERE d.id = ?").c_str());
    q.bind(1, m_datasetId);
    q.step();
    return readDataset(q);
}

void DatasetWriter::rollback()
{
    auto &d = *m_store.d;
    d.insertRow.reset();
    sqlite3_exec(d.db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    m_open = false;
    d.writing = false;
}

int64_t ProjectStore::rowCount(int64_t datasetId) const
{
    sql::Stmt q(d->db, "SELECT count(*) FROM rows WHERE dataset_id = ?");
    q.bind(1, datasetId);
    q.step();
    return q.integer(0);
}

int64_t ProjectStore::rowCount(int64_t datasetId, RowStatus status) const
{
    sql::Stmt q(d->db, "SELECT count(*) FROM rows WHERE dataset_id = ? AND status = ?");
    q.bind(1, datasetId).bind(2, std::string(rowStatusName(status)));
    q.step();
    return q.integer(0);
}

std::vector<ProjectRow> ProjectStore::rows(int64_t datasetId, int64_t offset, int64_t limit) const
{
    // Indices are contiguous from 0, so the offset is a key: the (dataset_id, idx) index seeks
    // straight to it instead of stepping over `offset` rows.
    sql::Stmt q(d->db, (std::string(kRowColumns) +
                        "WHERE r.dataset_id = ? AND r.idx >= ? ORDER BY r.idx LIMIT ?").c_str());
    q.bind(1, datasetId).bind(2, std::max<int64_t>(offset, 0)).bind(3, std::max<int64_t>(limit, 0));
    std::vector<ProjectRow> out;
    while (q.step())
        out.push_back(readRow(q));
    return out;
}

ProjectRow ProjectStore::row(int64_t datasetId, int64_t index) const
{
    auto page = rows(datasetId, index, 1);
    if (page.empty() || page.front().index != index || index < 0)
        throwBadInput(d->file.string() + ": no row " + std::to_string(index) + " (the dataset has " +
                      std::to_string(rowCount(datasetId)) + " rows)");
    return page.front();
}

namespace {

// The ids of the rows a filter matches, in index order, as SQL over the indexes. Row ids ascend
// with the index within a dataset and a dataset's rows hold one contiguous id range (DatasetWriter
// inserts them in index order in one transaction; SQLite gives each new row max(id) + 1). So
// findings_by_kind yields the finding matches in row order, and the id range keeps them to the
// dataset without visiting the rows. Parameters: ?1 dataset, ?2 status, ?3 finding kind, ?5 a
// row id (for `idCondition`), ?6 / ?7 the dataset's first / last row id.
struct FilterSql
{
    std::string sql;
    bool dataset = false, status = false, kind = false, range = false, rowId = false;

    void bind(sql::Stmt &q, int64_t datasetId, const RowFilter &filter, std::pair<int64_t, int64_t> ids,
              int64_t id) const
    {
        if (dataset)
            q.bind(1, datasetId);
        if (status)
            q.bind(2, std::string(rowStatusName(*filter.status)));
        if (kind)
            q.bind(3, filter.findingKind);
        if (rowId)
            q.bind(5, id);
        if (range)
            q.bind(6, ids.first).bind(7, ids.second);
    }
};

// `idCondition`: a condition on the row id written "{id}" (e.g. "{id} < ?5"), or "".
FilterSql filterSql(const RowFilter &filter, bool haveRange, const std::string &idCondition = {})
{
    FilterSql f;
    f.rowId = !idCondition.empty();
    auto condition = [&](const char *idColumn) {
        std::string c = idCondition;
        if (const auto at = c.find("{id}"); at != std::string::npos)
            c.replace(at, 4, idColumn);
        return c.empty() ? c : " AND " + c;
    };
    f.status = bool(filter.status);
    if (filter.findingKind.empty()) {  // rows_by_status, covering
        f.dataset = true;
        f.sql = "SELECT id AS rid FROM rows WHERE dataset_id = ?1 AND status = ?2" + condition("id") +
                " ORDER BY idx";
        return f;
    }
    f.kind = true;
    f.range = haveRange;
    f.dataset = !haveRange || f.status;
    if (haveRange) {
        // A covering range scan of findings_by_kind; with a status, each match is checked in
        // rows_by_status (its index is row_id - first), not in the wide rows table.
        f.sql = std::string("SELECT DISTINCT row_id AS rid FROM findings WHERE kind = ?3 AND row_id BETWEEN ?6 AND ?7") +
                (filter.status ? " AND EXISTS (SELECT 1 FROM rows INDEXED BY rows_by_status WHERE dataset_id = ?1 "
                                 "AND status = ?2 AND idx = row_id - ?6)"
                               : "") +
                condition("row_id") + " ORDER BY row_id";
        return f;
    }
    f.sql = std::string("SELECT DISTINCT f.row_id AS rid FROM findings f JOIN rows r ON r.id = f.row_id "
                        "WHERE f.kind = ?3 AND r.dataset_id = ?1") +
            (filter.status ? " AND r.status = ?2" : "") + condition("f.row_id") + " ORDER BY f.row_id";
    return f;
}

} // namespace

std::optional<std::pair<int64_t, int64_t>> ProjectStore::Impl::idRange(int64_t datasetId)
{
    // The ids of the first and last index; a range as wide as the dataset is its own.
    sql::Stmt last(db, "SELECT max(idx) FROM rows WHERE dataset_id = ?");
    last.bind(1, datasetId);
    if (!last.step() || last.isNull(0))
        return std::nullopt;
    const int64_t maxIdx = last.integer(0);
    sql::Stmt id(db, "SELECT id FROM rows WHERE dataset_id = ? AND idx = ?");
    id.bind(1, datasetId).bind(2, int64_t(0));
    if (!id.step())
        return std::nullopt;
    const int64_t first = id.integer(0);
    id.reset();
    id.bind(1, datasetId).bind(2, maxIdx);
    if (!id.step())
        return std::nullopt;
    const int64_t lastId = id.integer(0);
    if (lastId - first != maxIdx)
        return std::nullopt;  // not written by one DatasetWriter: the filters join the rows instead
    return std::make_pair(first, lastId);
}

int64_t ProjectStore::rowCount(int64_t datasetId, const RowFilter &filter) const
{
    if (filter.any())
        return rowCount(datasetId);
    if (filter.findingKind.empty())
        return rowCount(datasetId, *filter.status);  // a covering count on rows_by_status
    const auto ids = d->idRange(datasetId);
    const FilterSql f = filterSql(filter, ids.has_value());
    sql::Stmt q(d->db, ("SELECT count(*) FROM (" + f.sql + ")").c_str());
    f.bind(q, datasetId, filter, ids.value_or(std::make_pair(int64_t(0), int64_t(0))), 0);
    q.step();
    return q.integer(0);
}

std::vector<ProjectRow> ProjectStore::rows(int64_t datasetId, const RowFilter &filter, int64_t position,
                                           int64_t limit) const
{
    if (filter.any())
        return rows(datasetId, position, limit);
    // The page's ids come from an index-only walk (OFFSET steps over index entries); only the
    // page's own rows are read.
    const auto ids = d->idRange(datasetId);
    const FilterSql f = filterSql(filter, ids.has_value());
    sql::Stmt q(d->db, (std::string(kRowColumns) + "WHERE r.id IN (" + f.sql + " LIMIT ?8 OFFSET ?9) ORDER BY r.idx").c_str());
    f.bind(q, datasetId, filter, ids.value_or(std::make_pair(int64_t(0), int64_t(0))), 0);
    q.bind(8, std::max<int64_t>(limit, 0)).bind(9, std::max<int64_t>(position, 0));
    std::vector<ProjectRow> out;
    while (q.step())
        out.push_back(readRow(q));
    return out;
}

int64_t ProjectStore::filteredPosition(int64_t datasetId, const RowFilter &filter, int64_t index) const
{
    if (filter.any())
        return index >= 0 && index < rowCount(datasetId) ? index : -1;
    int64_t id = 0;
    {
        sql::Stmt q(d->db, "SELECT id, status FROM rows WHERE dataset_id = ? AND idx = ?");
        q.bind(1, datasetId).bind(2, index);
        if (!q.step() || (filter.status && q.text(1) != rowStatusName(*filter.status)))
            return -1;
        id = q.integer(0);
    }
    if (filter.findingKind.empty()) {  // the matches before it: an index range count
        sql::Stmt q(d->db, "SELECT count(*) FROM rows WHERE dataset_id = ? AND status = ? AND idx < ?");
        q.bind(1, datasetId).bind(2, std::string(rowStatusName(*filter.status))).bind(3, index);
        q.step();
        return q.integer(0);
    }
    const auto ids = d->idRange(datasetId);
    const auto range = ids.value_or(std::make_pair(int64_t(0), int64_t(0)));
    {   // Does it have a finding of the kind?
        const FilterSql f = filterSql(filter, ids.has_value(), "{id} = ?5");
        sql::Stmt q(d->db, f.sql.c_str());
        f.bind(q, datasetId, filter, range, id);
        if (!q.step())
            return -1;
    }
    // Its position: the matches before it (ids ascend with the index).
    const FilterSql f = filterSql(filter, ids.has_value(), "{id} < ?5");
    sql::Stmt q(d->db, ("SELECT count(*) FROM (" + f.sql + ")").c_str());
    f.bind(q, datasetId, filter, range, id);
    q.step();
    return q.integer(0);
}

void ProjectStore::forEachRow(int64_t datasetId, const std::function<bool(const ProjectRow &)> &visit) const
{
    sql::Stmt q(d->db, (std::string(kRowColumns) + "WHERE r.dataset_id = ? ORDER BY r.idx").c_str());
    q.bind(1, datasetId);
    while (q.step())
        if (!visit(readRow(q)))
            break;
}

void ProjectStore::setStatus(int64_t datasetId, const std::vector<int64_t> &indices, RowStatus status)
{
    d->requireIdle();
    const int64_t n = rowCount(datasetId);
    for (int64_t i : indices)
        if (i < 0 || i >= n)
            throwBadInput(d->file.string() + ": row " + std::to_string(i) + " is out of range (the dataset has " +
                          std::to_string(n) + " rows)");
    sql::Transaction tx(d->db);
    sql::Stmt q(d->db, "UPDATE rows SET status = ? WHERE dataset_id = ? AND idx = ?");
    for (int64_t i : indices)
        q.bind(1, std::string(rowStatusName(status))).bind(2, datasetId).bind(3, i).run();
    tx.commit();
}

void ProjectStore::editRow(int64_t datasetId, int64_t index, const std::vector<ChatMessage> &messages)
{
    d->requireIdle();
    sql::Transaction tx(d->db);
    const int64_t id = d->rowId(datasetId, index);
    sql::Stmt(d->db, "UPDATE rows SET edited = ?, edited_at = ? WHERE id = ?")
        .bind(1, messagesToJson(messages)).bind(2, sql::utcNow()).bind(3, id).run();
    tx.commit();
}

void ProjectStore::revertEdit(int64_t datasetId, int64_t index)
{
    d->requireIdle();
    sql::Transaction tx(d->db);
    const int64_t id = d->rowId(datasetId, index);
    sql::Stmt(d->db, "UPDATE rows SET edited = NULL, edited_at = NULL WHERE id = ?").bind(1, id).run();
    tx.commit();
}

void ProjectStore::replaceFindings(int64_t datasetId, const std::vector<Finding> &findings,
                                   const std::vector<std::string> &kinds)
{
    d->requireIdle();
    sql::Transaction tx(d->db);
    if (kinds.empty()) {
        sql::Stmt(d->db, "DELETE FROM findings WHERE row_id IN (SELECT id FROM rows WHERE dataset_id = ?)")
            .bind(1, datasetId).run();
    } else {
        sql::Stmt del(d->db, "DELETE FROM findings WHERE kind = ? AND row_id IN "
                             "(SELECT id FROM rows WHERE dataset_id = ?)");
        for (const auto &k : kinds)
            del.bind(1, k).bind(2, datasetId).run();
    }
    sql::Stmt ins(d->db, "INSERT INTO findings(row_id, kind, severity, detail) "
                         "VALUES ((SELECT id FROM rows WHERE dataset_id = ? AND idx = ?), ?, ?, ?)");
    const int64_t n = rowCount(datasetId);
    for (const auto &f : findings) {
        if (f.rowIndex < 0 || f.rowIndex >= n)
            throwBadInput(d->file.string() + ": finding '" + f.kind + "' names row " +
                          std::to_string(f.rowIndex) + ", outside the dataset (" + std::to_string(n) + " rows)");
        ins.bind(1, datasetId).bind(2, f.rowIndex).bind(3, f.kind).bind(4, f.severity)
            .bind(5, f.detail.dump(-1, ' ', false, json::error_handler_t::replace)).run();
    }
    tx.commit();
}

static std::vector<Finding> queryFindings(sql::Stmt &q)
{
    std::vector<Finding> out;
    while (q.step()) {
        Finding f;
        f.rowIndex = q.integer(0);
        f.kind = q.text(1);
        f.severity = q.text(2);
        f.detail = parseStored(q.text(3));
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<std::string> ProjectStore::findingKinds(int64_t datasetId) const
{
    sql::Stmt q(d->db, "SELECT DISTINCT f.kind FROM findings f JOIN rows r ON r.id = f.row_id "
                       "WHERE r.dataset_id = ? ORDER BY f.kind");
    q.bind(1, datasetId);
    std::vector<std::string> out;
    while (q.step())
        out.push_back(q.text(0));
    return out;
}

std::vector<Finding> ProjectStore::findings(int64_t datasetId) const
{
    sql::Stmt q(d->db, "SELECT r.idx, f.kind, f.severity, f.detail FROM findings f JOIN rows r ON r.id = f.row_id "
                       "WHERE r.dataset_id = ? ORDER BY r.idx, f.id");
    q.bind(1, datasetId);
    return queryFindings(q);
}

std::vector<Finding> ProjectStore::rowFindings(int64_t datasetId, int64_t index) const
{
    sql::Stmt q(d->db, "SELECT r.idx, f.kind, f.severity, f.detail FROM findings f JOIN rows r ON r.id = f.row_id "
                       "WHERE r.dataset_id = ? AND r.idx = ? ORDER BY f.id");
    q.bind(1, datasetId).bind(2, index);
    return queryFindings(q);
}

int64_t ProjectStore::findingCount(int64_t datasetId) const
{
    sql::Stmt q(d->db, "SELECT count(*) FROM findings f JOIN rows r ON r.id = f.row_id WHERE r.dataset_id = ?");
    q.bind(1, datasetId);
    q.step();
    return q.integer(0);
}

SplitCounts ProjectStore::assignSplits(int64_t datasetId, const SplitOptions &o)
{
    d->requireIdle();
    if (!(o.validation >= 0 && o.validation < 1) || !(o.test >= 0 && o.test < 1) || !(o.validation + o.test < 1))
        throwBadInput("split: --val and --test must be in [0, 1) and leave rows for training");
    // Rows grouped by source (one group when not stratifying), each shuffled by its own
    // seeded Fisher-Yates (a fixed generator: the same seed gives the same split everywhere).
    std::map<std::string, std::vector<int64_t>> groups;
    {
        sql::Stmt q(d->db, "SELECT id, source FROM rows WHERE dataset_id = ? ORDER BY idx");
        q.bind(1, datasetId);
        while (q.step())
            groups[o.stratifyBySource ? q.text(1) : std::string()].push_back(q.integer(0));
    }
    SplitCounts counts;
    sql::Transaction tx(d->db);
    sql::Stmt(d->db, "DELETE FROM splits WHERE row_id IN (SELECT id FROM rows WHERE dataset_id = ?)")
        .bind(1, datasetId).run();
    sql::Stmt ins(d->db, "INSERT INTO splits(row_id, split, seed) VALUES (?, ?, ?)");
    for (auto &[source, ids] : groups) {
        std::mt19937_64 rng(o.seed);
        for (size_t i = ids.size(); i > 1; --i)
            std::swap(ids[i - 1], ids[rng() % i]);
        const auto n = static_cast<double>(ids.size());
        const auto nTest = static_cast<size_t>(n * o.test + 0.5);
        const auto nVal = std::min(ids.size() - nTest, static_cast<size_t>(n * o.validation + 0.5));
        for (size_t i = 0; i < ids.size(); ++i) {
            const char *split = i < nTest ? "test" : i < nTest + nVal ? "validation" : "train";
            ins.bind(1, ids[i]).bind(2, std::string(split)).bind(3, static_cast<int64_t>(o.seed)).run();
            (i < nTest ? counts.test : i < nTest + nVal ? counts.validation : counts.train)++;
        }
    }
    tx.commit();
    return counts;
}

SplitCounts ProjectStore::splitCounts(int64_t datasetId) const
{
    sql::Stmt q(d->db, "SELECT s.split, count(*) FROM splits s JOIN rows r ON r.id = s.row_id "
                       "WHERE r.dataset_id = ? GROUP BY s.split");
    q.bind(1, datasetId);
    SplitCounts c;
    while (q.step()) {
        const std::string s = q.text(0);
        (s == "train" ? c.train : s == "validation" ? c.validation : c.test) = q.integer(1);
    }
    return c;
}

bool ProjectStore::hasSplits(int64_t datasetId) const
{
    const SplitCounts c = splitCounts(datasetId);
    return c.train + c.validation + c.test > 0;
}

} // namespace ft
