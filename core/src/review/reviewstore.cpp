// Review <-> project store. The findings go into the store's findings table; the report into
// dataset_reviews (part of the project schema since version 2).
// One SQLite transaction on the store's connection covers both.
#include "ft/reviewstore.h"

#include "ft/error.h"
#include "data/sqlitedb.h"
#include "data/storedmessages.h"
#include "ft/project.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace ft {
namespace {

[[noreturn]] void fail(sqlite3 *db, const ProjectStore &store, const std::string &what)
{
    const int rc = sqlite3_errcode(db);
    const std::string message = store.path().string() + ": " + what + ": " + sqlite3_errmsg(db);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        throwBadInput(store.path().string() + ": project is busy (" + what + ")");
    throw Error(ErrorKind::Internal, message);
}

void exec(sqlite3 *db, const ProjectStore &store, const char *sql)
{
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        fail(db, store, sql);
}

class Statement
{
public:
    Statement(sqlite3 *db, const ProjectStore &store, const char *sql) : m_db(db), m_store(store)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK)
            fail(db, store, "prepare");
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement &bind(int i, int64_t v)
    {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    Statement &bind(int i, const std::string &v)
    {
        sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            fail(m_db, m_store, "step");
        return false;
    }
    void run()
    {
        step();
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    std::string text(int col) const { return std::string(view(col)); }
    std::string_view view(int col) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string_view();
    }
    int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }

private:
    sqlite3 *m_db;
    const ProjectStore &m_store;
    sqlite3_stmt *m_stmt = nullptr;
};

std::string dump(const nlohmann::json &j)
{
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

namespace {

// Into `row`, reusing its strings' and messages' storage (a chunk's rows are refilled).
void fillReviewRow(const ProjectRow &r, ReviewRow &row)
{
    row.rowId = r.index;
    row.split = r.split;
    row.source = r.source;
    row.plainText = r.kind == RowKind::Text;
    const std::vector<ChatMessage> &messages = r.effectiveMessages();
    const std::size_t count = messages.size() + (r.system.empty() ? 0 : 1);
    row.messages.resize(count);
    std::size_t m = 0;
    if (!r.system.empty()) {
        row.messages[m].role = "system";
        row.messages[m++].content = r.system;
    }
    for (const ChatMessage &message : messages) {
        row.messages[m].role = message.role;
        row.messages[m++].content = message.content;
    }
}

ReviewRow reviewRowOf(const ProjectRow &r)
{
    ReviewRow row;
    fillReviewRow(r, row);
    return row;
}

} // namespace

std::vector<ReviewRow> reviewRowsOf(const ProjectStore &store, int64_t datasetId)
{
    std::vector<ReviewRow> rows;
    rows.reserve(static_cast<std::size_t>(store.rowCount(datasetId)));
    store.forEachRow(datasetId, [&](const ProjectRow &r) {
        rows.push_back(reviewRowOf(r));
        return true;
    });
    return rows;
}

StoreReviewRows::StoreReviewRows(const ProjectStore &store, int64_t datasetId)
    : m_store(store), m_datasetId(datasetId), m_size(static_cast<std::size_t>(store.rowCount(datasetId)))
{
}

void StoreReviewRows::read(std::size_t begin, std::size_t count, std::vector<ReviewRow> &out) const
{
    // Only what the review reads (not the original record, not the finding counts), each row's
    // messages read straight into the previous chunk's rows (their storage reused).
    auto *db = static_cast<sqlite3 *>(m_store.nativeHandle());
    Statement q(db, m_store,
                "SELECT r.idx, r.source, r.messages, r.system, r.kind, r.edited, coalesce(s.split, '') "
                "FROM rows r LEFT JOIN splits s ON s.row_id = r.id "
                "WHERE r.dataset_id = ? AND r.idx >= ? ORDER BY r.idx LIMIT ?");
    q.bind(1, m_datasetId).bind(2, static_cast<int64_t>(begin)).bind(3, static_cast<int64_t>(count));
    out.resize(count);
    std::vector<ChatMessage> turns;  // swapped with the rows' messages: storage circulates
    std::size_t filled = 0;
    while (filled < count && q.step()) {
        ReviewRow &row = out[filled++];
        row.rowId = q.integer(0);
        row.source.assign(q.view(1));
        const std::string_view system = q.view(3);
        row.plainText = q.view(4) == rowKindName(RowKind::Text);
        row.split.assign(q.view(6));
        // The system prompt first, then the conversation (the edit where there is one).
        const std::size_t first = system.empty() ? 0 : 1;
        const bool edited = !q.isNull(5);
        readStoredMessages(q.view(edited ? 5 : 2), turns, row.rowId, edited);
        row.messages.resize(first + turns.size());
        if (first) {
            row.messages[0].role = "system";
            row.messages[0].content.assign(system);
        }
        for (std::size_t m = 0; m < turns.size(); ++m)
            std::swap(row.messages[first + m], turns[m]);
    }
    out.resize(filled);
}

ReviewRow StoreReviewRows::at(std::size_t index) const
{
    return reviewRowOf(m_store.row(m_datasetId, static_cast<int64_t>(index)));
}

void saveReview(ProjectStore &store, int64_t datasetId, const ReviewResult &result)
{
    auto *db = static_cast<sqlite3 *>(store.nativeHandle());
    const int64_t rowCount = store.rowCount(datasetId);
    exec(db, store, "BEGIN IMMEDIATE");
    try {
        Statement(db, store, "DELETE FROM findings WHERE row_id IN (SELECT id FROM rows WHERE dataset_id = ?)")
            .bind(1, datasetId)
            .run();
        Statement ins(db, store,
                      "INSERT INTO findings(row_id, kind, severity, detail) "
                      "VALUES ((SELECT id FROM rows WHERE dataset_id = ? AND idx = ?), ?, ?, ?)");
        for (const ReviewFinding &f : result.findings) {
            if (f.rowId < 0 || f.rowId >= rowCount)
                throwBadInput(store.path().string() + ": finding '" + f.kind + "' names row " +
                              std::to_string(f.rowId) + ", outside the dataset (" + std::to_string(rowCount) +
                              " rows)");
            nlohmann::json detail = f.detail.is_object() ? f.detail : nlohmann::json::object();
            detail["message"] = f.message;
            ins.bind(1, datasetId).bind(2, f.rowId).bind(3, f.kind).bind(4, std::string(severityName(f.severity)))
                .bind(5, dump(detail))
                .run();
        }
        Statement(db, store, "INSERT OR REPLACE INTO dataset_reviews(dataset_id, reviewed_at, report) VALUES (?, ?, ?)")
            .bind(1, datasetId)
            .bind(2, sql::utcNow())
            .bind(3, dump(result.report))
            .run();
        exec(db, store, "COMMIT");
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::vector<int64_t> rowsWithFinding(const ProjectStore &store, int64_t datasetId, const std::string &kind)
{
    std::string base = kind, type;
    if (const auto colon = kind.find(':'); colon != std::string::npos) {
        base = kind.substr(0, colon);
        type = kind.substr(colon + 1);
    }
    const auto &kinds = findingKinds();
    if (std::find(kinds.begin(), kinds.end(), base) == kinds.end() || (!type.empty() && base != finding::PersonalData)) {
        std::string known;
        for (const auto &k : kinds)
            known += (known.empty() ? "" : ", ") + k;
        throwBadInput("finding kind '" + kind + "' is not one the review produces (" + known + "; pii:TYPE)");
    }
    std::vector<int64_t> rows;
    for (const Finding &f : store.findings(datasetId))
        if (f.kind == base && (type.empty() || f.detail.value("type", "") == type))
            rows.push_back(f.rowIndex);
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
}

std::optional<nlohmann::json> loadReviewReport(const ProjectStore &store, int64_t datasetId)
{
    auto *db = static_cast<sqlite3 *>(store.nativeHandle());
    Statement q(db, store, "SELECT reviewed_at, report FROM dataset_reviews WHERE dataset_id = ?");
    q.bind(1, datasetId);
    if (!q.step())
        return std::nullopt;
    nlohmann::json report = nlohmann::json::parse(q.text(1), nullptr, false);
    if (report.is_discarded())
        report = nlohmann::json::object();
    report["reviewed_at"] = q.text(0);
    return report;
}

} // namespace ft
