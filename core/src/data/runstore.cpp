// Runs and per-project settings over the project's own SQLite connection.
#include "ft/runstore.h"

#include "data/sqlitedb.h"
#include "ft/error.h"
#include "ft/project.h"

#include <cerrno>
#include <ctime>

#include <signal.h>
#include <unistd.h>

using nlohmann::json;

namespace ft {
namespace {

// The store's connection, borrowed (the store keeps owning it).
struct Connection
{
    sql::Db db;
    explicit Connection(const ProjectStore &store)
    {
        db.borrow(static_cast<sqlite3 *>(store.nativeHandle()), store.path().string());
    }
};

const char *const kRunColumns =
    "SELECT id, name, config, status, output_dir, base_model, dataset, created_at, updated_at, notes, "
    "steps, total_steps, last_checkpoint_step, final_loss, pid FROM runs ";

RunRecord readRun(const sql::Stmt &q)
{
    RunRecord r;
    r.id = q.integer(0);
    r.name = q.text(1);
    r.config = json::parse(q.text(2), nullptr, /*allow_exceptions=*/false);
    if (!r.config.is_object())
        r.config = json::object();
    // A status this program does not know (a newer one's) reads as stopped: shown, not resumed
    // unless it has a checkpoint.
    r.status = parseRunStatus(q.text(3)).value_or(RunStatus::Stopped);
    r.folder = q.text(4);
    r.baseModel = q.text(5);
    r.dataset = q.text(6);
    r.createdAt = q.text(7);
    r.updatedAt = q.text(8);
    r.notes = q.text(9);
    r.steps = q.integer(10);
    r.totalSteps = q.integer(11);
    r.lastCheckpointStep = q.integer(12);
    if (!q.isNull(13))
        r.finalLoss = q.real(13);
    r.pid = q.integer(14);
    return r;
}

// Binds the writable fields at 1..13 in the order of the INSERT / UPDATE below.
void bindRun(sql::Stmt &q, const RunRecord &r)
{
    q.bind(1, r.name)
        .bind(2, r.config.dump(-1, ' ', false, json::error_handler_t::replace))
        .bind(3, std::string(runStatusName(r.status)))
        .bind(4, r.folder)
        .bind(5, r.baseModel)
        .bind(6, r.dataset)
        .bind(7, r.updatedAt)
        .bind(8, r.notes)
        .bind(9, r.steps)
        .bind(10, r.totalSteps)
        .bind(11, r.lastCheckpointStep)
        .bind(12, r.pid);
    if (r.finalLoss)
        q.bindReal(13, *r.finalLoss);
    else
        q.bindNull(13);
}

bool processExists(int64_t pid)
{
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

} // namespace

const char *runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Stopped: return "stopped";
    case RunStatus::Finished: return "finished";
    case RunStatus::Failed: return "failed";
    case RunStatus::Crashed: return "crashed";
    }
    return "stopped";
}

std::optional<RunStatus> parseRunStatus(const std::string &name)
{
    for (RunStatus s : {RunStatus::Running, RunStatus::Stopped, RunStatus::Finished, RunStatus::Failed,
                        RunStatus::Crashed})
        if (name == runStatusName(s))
            return s;
    return std::nullopt;
}

int64_t currentProcessId() { return static_cast<int64_t>(::getpid()); }

int64_t addRun(ProjectStore &store, RunRecord &run)
{
    if (run.name.empty())
        throwBadInput(store.path().string() + ": a run needs a name");
    Connection c(store);
    run.createdAt = run.updatedAt = sql::utcNow();
    sql::Stmt q(c.db, "INSERT INTO runs(name, config, status, output_dir, base_model, dataset, updated_at, "
                      "notes, steps, total_steps, last_checkpoint_step, pid, final_loss, created_at, started_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    bindRun(q, run);
    q.bind(14, run.createdAt).bind(15, run.createdAt);
    q.run();
    run.id = sqlite3_last_insert_rowid(c.db.handle());
    return run.id;
}

void updateRun(ProjectStore &store, RunRecord &run)
{
    Connection c(store);
    run.updatedAt = sql::utcNow();
    sql::Stmt q(c.db, "UPDATE runs SET name = ?, config = ?, status = ?, output_dir = ?, base_model = ?, "
                      "dataset = ?, updated_at = ?, notes = ?, steps = ?, total_steps = ?, "
                      "last_checkpoint_step = ?, pid = ?, final_loss = ? WHERE id = ?");
    bindRun(q, run);
    q.bind(14, run.id);
    q.run();
    if (sqlite3_changes(c.db.handle()) == 0)
        throwBadInput(store.path().string() + ": there is no run " + std::to_string(run.id));
}

std::vector<RunRecord> listRuns(const ProjectStore &store)
{
    Connection c(store);
    sql::Stmt q(c.db, (std::string(kRunColumns) + "ORDER BY id DESC").c_str());
    std::vector<RunRecord> runs;
    while (q.step())
        runs.push_back(readRun(q));
    return runs;
}

std::optional<RunRecord> findRun(const ProjectStore &store, int64_t id)
{
    Connection c(store);
    sql::Stmt q(c.db, (std::string(kRunColumns) + "WHERE id = ?").c_str());
    q.bind(1, id);
    if (!q.step())
        return std::nullopt;
    return readRun(q);
}

void removeRun(ProjectStore &store, int64_t id)
{
    Connection c(store);
    sql::Stmt(c.db, "DELETE FROM runs WHERE id = ?").bind(1, id).run();
}

std::vector<int64_t> markCrashedRuns(ProjectStore &store, const std::function<bool(int64_t)> &alive)
{
    std::vector<int64_t> crashed;
    for (RunRecord &run : listRuns(store)) {
        if (run.status != RunStatus::Running)
            continue;
        if (alive ? alive(run.pid) : processExists(run.pid))
            continue;
        run.status = RunStatus::Crashed;
        run.pid = 0;
        updateRun(store, run);
        crashed.push_back(run.id);
    }
    return crashed;
}

std::optional<json> projectSetting(const ProjectStore &store, const std::string &key)
{
    Connection c(store);
    sql::Stmt q(c.db, "SELECT value FROM project_settings WHERE key = ?");
    q.bind(1, key);
    if (!q.step())
        return std::nullopt;
    json value = json::parse(q.text(0), nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded())
        return std::nullopt;
    return value;
}

void setProjectSetting(ProjectStore &store, const std::string &key, const json &value)
{
    Connection c(store);
    sql::Stmt q(c.db, "INSERT INTO project_settings(key, value, updated_at) VALUES (?, ?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    q.bind(1, key).bind(2, value.dump(-1, ' ', false, json::error_handler_t::replace)).bind(3, sql::utcNow());
    q.run();
}

} // namespace ft
