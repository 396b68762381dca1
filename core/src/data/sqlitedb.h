// A thin RAII layer over the SQLite C API: a connection, prepared statements, and a transaction
// guard that rolls back unless committed. Errors become ft::Error naming the database file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ft::sql {

// Now in UTC as projects store times: "2026-12-05T06:44:29Z".
std::string utcNow();

class Db
{
public:
    Db() = default;
    ~Db();
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    void open(const std::string &file, bool mustExist);
    // Uses a connection owned elsewhere (a ProjectStore's) without closing it.
    void borrow(sqlite3 *handle, const std::string &file);
    void exec(const char *sql);
    sqlite3 *handle() const { return m_db; }
    const std::string &file() const { return m_file; }
    // Throws ft::Error (busy / corrupt / not a database -> BadInput, otherwise Internal).
    [[noreturn]] void fail(int rc, const std::string &what) const;

private:
    sqlite3 *m_db = nullptr;
    std::string m_file;
    bool m_owned = true;
};

class Stmt
{
public:
    Stmt(const Db &db, const char *sql);
    ~Stmt();
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    Stmt &bind(int i, int64_t v);
    Stmt &bind(int i, const std::string &v);
    Stmt &bindNull(int i);
    Stmt &bindReal(int i, double v);
    // true while a row is available.
    bool step();
    void run() { step(); reset(); }
    void reset();

    int64_t integer(int col) const { return sqlite3_column_int64(m_stmt, col); }
    double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    std::string text(int col) const;
    // The column's text without a copy; valid until the next step, reset or column call.
    std::string_view view(int col) const;

private:
    const Db &m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted.
class Transaction
{
public:
    explicit Transaction(Db &db);
    ~Transaction();
    void commit();

private:
    Db &m_db;
    bool m_open = true;
};

} // namespace ft::sql
