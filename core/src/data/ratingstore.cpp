#include "ft/ratingstore.h"

#include "ft/error.h"
#include "data/sqlitedb.h"
#include "ft/project.h"

#include <sqlite3.h>

#include <ctime>

namespace ft {

namespace {

// The comparisons table keeps the prompt and a JSON config (outputs, side, settings); ratings
// keeps the verdict as the candidate that won ("tuned", "base", "tie") with its note.
class Statement
{
public:
    Statement(sqlite3 *db, const char *sql) : m_db(db)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK)
            fail("prepare");
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    void bind(int i, const std::string &v)
    {
        sqlite3_bind_text(m_stmt, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }
    void bind(int i, int64_t v) { sqlite3_bind_int64(m_stmt, i, v); }
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            fail("step");
        return false;
    }
    std::string text(int col) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
        return p ? std::string(p, size_t(sqlite3_column_bytes(m_stmt, col))) : std::string();
    }
    int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }

private:
    [[noreturn]] void fail(const char *what) const
    {
        throw Error(ErrorKind::Internal,
                    std::string("ratings: SQLite ") + what + ": " + sqlite3_errmsg(m_db));
    }
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

void exec(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw Error(ErrorKind::BadInput, std::string("ratings: ") + text);
    }
}

sqlite3 *handle(const ProjectStore &store)
{
    return static_cast<sqlite3 *>(store.nativeHandle());
}

} // namespace

std::string verdictForVote(const std::string &vote, const std::string &tunedSide)
{
    if (vote == "tie")
        return "tie";
    if ((vote != "A" && vote != "B") || (tunedSide != "A" && tunedSide != "B"))
        throwBadInput("rating: vote '" + vote + "' / tuned side '" + tunedSide +
                      "' (expected A, B or tie, and A or B)");
    return vote == tunedSide ? "tuned" : "base";
}

int64_t addRatedComparison(ProjectStore &store, const RatedComparison &c)
{
    if (c.verdict != "tuned" && c.verdict != "base" && c.verdict != "tie")
        throwBadInput("rating: verdict '" + c.verdict + "' is not tuned, base or tie");
    if (c.tunedSide != "A" && c.tunedSide != "B")
        throwBadInput("rating: tuned side '" + c.tunedSide + "' is not A or B");
    sqlite3 *db = handle(store);
    const nlohmann::json config = {{"base_output", c.baseOutput}, {"tuned_output", c.tunedOutput},
                                   {"tuned", c.tuned},            {"tuned_side", c.tunedSide},
                                   {"settings", c.settings}};
    exec(db, "BEGIN IMMEDIATE");
    try {
        Statement insert(db, "INSERT INTO comparisons(created_at, prompt, config) VALUES (?, ?, ?)");
        insert.bind(1, c.createdAt.empty() ? sql::utcNow() : c.createdAt);
        insert.bind(2, c.prompt);
        insert.bind(3, config.dump());
        insert.step();
        const int64_t id = sqlite3_last_insert_rowid(db);
        Statement rating(db, "INSERT INTO ratings(comparison_id, candidate, score, note) "
                             "VALUES (?, ?, ?, ?)");
        rating.bind(1, id);
        rating.bind(2, c.verdict);
        rating.bind(3, c.verdict == "tuned" ? 1.0 : c.verdict == "tie" ? 0.5 : 0.0);
        rating.bind(4, c.note);
        rating.step();
        exec(db, "COMMIT");
        return id;
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::vector<RatedComparison> ratedComparisons(const ProjectStore &store)
{
    Statement q(handle(store),
                "SELECT c.id, c.created_at, c.prompt, c.config, r.candidate, r.note "
                "FROM comparisons c JOIN ratings r ON r.comparison_id = c.id ORDER BY c.id");
    std::vector<RatedComparison> out;
    while (q.step()) {
        RatedComparison c;
        c.id = q.integer(0);
        c.createdAt = q.text(1);
        c.prompt = q.text(2);
        const nlohmann::json config = nlohmann::json::parse(q.text(3), nullptr, false);
        if (config.is_object()) {
            c.baseOutput = config.value("base_output", "");
            c.tunedOutput = config.value("tuned_output", "");
            c.tuned = config.value("tuned", "");
            c.tunedSide = config.value("tuned_side", "");
            c.settings = config.value("settings", nlohmann::json::object());
        }
        c.verdict = q.text(4);
        c.note = q.text(5);
        out.push_back(std::move(c));
    }
    return out;
}

WinRate winRate(const ProjectStore &store)
{
    Statement q(handle(store), "SELECT candidate, count(*) FROM ratings GROUP BY candidate");
    int64_t tuned = 0, base = 0, ties = 0;
    while (q.step()) {
        const std::string candidate = q.text(0);
        const int64_t n = q.integer(1);
        if (candidate == "tuned")
            tuned += n;
        else if (candidate == "base")
            base += n;
        else if (candidate == "tie")
            ties += n;
    }
    return winRate(tuned, base, ties);
}

} // namespace ft
