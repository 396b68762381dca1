#include "data/sqlitedb.h"

#include "ft/error.h"

#include <ctime>
#include <filesystem>

namespace ft::sql {

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Db::~Db()
{
    if (m_db && m_owned)
        sqlite3_close_v2(m_db);
}

void Db::borrow(sqlite3 *handle, const std::string &file)
{
    m_db = handle;
    m_file = file;
    m_owned = false;
}

void Db::open(const std::string &file, bool mustExist)
{
    m_file = file;
    if (mustExist && !std::filesystem::exists(file))
        throwBadInput(file + ": project file not found");
    // SQLite counts every allocation under a process-wide mutex unless told not to (~8 % of an
    // import's writing thread). It can only be told before it initialises, at the first open; a
    // later call is refused and changes nothing.
    static const bool noAllocationCounts = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    (void)noAllocationCounts;
    const int flags = SQLITE_OPEN_READWRITE | (mustExist ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(file.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK)
        fail(rc, "cannot open");
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 10000);
}

void Db::exec(const char *sql)
{
    char *err = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        const std::string msg = err ? err : "";
        sqlite3_free(err);
        fail(rc, msg);
    }
}

void Db::fail(int rc, const std::string &what) const
{
    const int primary = rc & 0xff;
    std::string msg = m_file + ": ";
    if (primary == SQLITE_NOTADB)
        throwBadInput(msg + "not a project file (not an SQLite database)");
    const std::string detail = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    if (primary == SQLITE_ERROR && detail.find("malformed") != std::string::npos)
        throwBadInput(msg + "project file is damaged (" + detail + ")");
    if (primary == SQLITE_CORRUPT)
        throwBadInput(msg + "project file is damaged (" + sqlite3_errstr(rc) + ")");
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throwBadInput(msg + "project is busy (another program is writing it)");
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        throwBadInput(msg + "cannot write the project file (" + sqlite3_errstr(rc) +
                      "; is the disk full?) - what was saved before is kept");
    if (primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY)
        throwBadInput(msg + what + " (" + sqlite3_errstr(rc) + ")");
    if (primary == SQLITE_CONSTRAINT)
        throwBadInput(msg + what + " (" + (m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc)) + ")");
    throw Error(ErrorKind::Internal,
                msg + "database error: " + what + " (" + (m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc)) + ")");
}

Stmt::Stmt(const Db &db, const char *sql) : m_db(db)
{
    const int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &m_stmt, nullptr);
    if (rc != SQLITE_OK)
        db.fail(rc, std::string("prepare: ") + sql);
}

Stmt::~Stmt()
{
    sqlite3_finalize(m_stmt);
}

Stmt &Stmt::bind(int i, int64_t v)
{
    sqlite3_bind_int64(m_stmt, i, v);
    return *this;
}

Stmt &Stmt::bind(int i, const std::string &v)
{
    sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

Stmt &Stmt::bindReal(int i, double v)
{
    sqlite3_bind_double(m_stmt, i, v);
    return *this;
}

Stmt &Stmt::bindNull(int i)
{
    sqlite3_bind_null(m_stmt, i);
    return *this;
}

bool Stmt::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    sqlite3_reset(m_stmt);
    m_db.fail(rc, "step");
}

void Stmt::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::string Stmt::text(int col) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string();
}

std::string_view Stmt::view(int col) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string_view();
}

Transaction::Transaction(Db &db) : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (m_open)
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_open = false;
}

} // namespace ft::sql
