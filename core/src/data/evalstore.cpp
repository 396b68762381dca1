// Evaluations and their items over the project's own SQLite connection.
#include "ft/evalstore.h"

#include "data/sqlitedb.h"
#include "ft/error.h"
#include "ft/project.h"
#include "ft/runstore.h"

#include <filesystem>

using nlohmann::json;

namespace ft {
namespace {

struct Connection
{
    sql::Db db;
    explicit Connection(const ProjectStore &store)
    {
        db.borrow(static_cast<sqlite3 *>(store.nativeHandle()), store.path().string());
    }
};

json parseObject(const std::string &text)
{
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return j.is_object() ? j : json::object();
}

const char *const kEvaluationColumns =
    "SELECT id, kind, model, run_id, adapter, source, settings, created_at, summary FROM evaluations ";

EvaluationRecord readEvaluation(const sql::Stmt &q)
{
    EvaluationRecord r;
    r.id = q.integer(0);
    r.kind = q.text(1);
    r.model = q.text(2);
    if (!q.isNull(3))
        r.runId = q.integer(3);
    r.adapter = q.text(4);
    r.source = q.text(5);
    r.settings = parseObject(q.text(6));
    r.createdAt = q.text(7);
    r.summary = parseObject(q.text(8));
    return r;
}

std::string normalFolder(const std::string &path)
{
    std::error_code ec;
    std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
    if (ec)
        p = std::filesystem::path(path).lexically_normal();
    std::string s = p.string();
    while (s.size() > 1 && s.back() == '/')
        s.pop_back();
    return s;
}

} // namespace

int64_t addEvaluation(ProjectStore &store, EvaluationRecord &record,
                      const std::vector<EvaluationItem> &items)
{
    if (record.kind != "benchmark" && record.kind != "domain")
        throwBadInput("evaluation: kind '" + record.kind + "' is not benchmark or domain");
    Connection c(store);
    sql::Transaction tx(c.db);
    record.createdAt = sql::utcNow();
    sql::Stmt ins(c.db, "INSERT INTO evaluations(kind, model, run_id, adapter, source, settings, "
                        "created_at, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, record.kind).bind(2, record.model);
    if (record.runId)
        ins.bind(3, *record.runId);
    else
        ins.bindNull(3);
    ins.bind(4, record.adapter).bind(5, record.source).bind(6, record.settings.dump());
    ins.bind(7, record.createdAt).bind(8, record.summary.dump());
    ins.run();
    record.id = sqlite3_last_insert_rowid(c.db.handle());
    sql::Stmt item(c.db, "INSERT INTO evaluation_items(evaluation_id, idx, row_id, subject, prompt, "
                         "reference, base_output, tuned_output, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int64_t index = 0;
    for (const EvaluationItem &it : items) {
        item.bind(1, record.id).bind(2, index++);
        if (it.rowId)
            item.bind(3, *it.rowId);
        else
            item.bindNull(3);
        item.bind(4, it.subject).bind(5, it.prompt).bind(6, it.reference);
        item.bind(7, it.baseOutput).bind(8, it.tunedOutput).bind(9, it.scores.dump());
        item.run();
    }
    tx.commit();
    return record.id;
}

std::vector<EvaluationRecord> listEvaluations(const ProjectStore &store, std::optional<int64_t> runId)
{
    Connection c(store);
    std::vector<EvaluationRecord> out;
    if (runId) {
        sql::Stmt q(c.db, (std::string(kEvaluationColumns) + "WHERE run_id = ? ORDER BY id DESC").c_str());
        q.bind(1, *runId);
        while (q.step())
            out.push_back(readEvaluation(q));
    } else {
        sql::Stmt q(c.db, (std::string(kEvaluationColumns) + "ORDER BY id DESC").c_str());
        while (q.step())
            out.push_back(readEvaluation(q));
    }
    return out;
}

std::optional<EvaluationRecord> findEvaluation(const ProjectStore &store, int64_t id)
{
    Connection c(store);
    sql::Stmt q(c.db, (std::string(kEvaluationColumns) + "WHERE id = ?").c_str());
    q.bind(1, id);
    if (!q.step())
        return std::nullopt;
    return readEvaluation(q);
}

std::vector<EvaluationItem> evaluationItems(const ProjectStore &store, int64_t evaluationId)
{
    Connection c(store);
    sql::Stmt q(c.db, "SELECT idx, row_id, subject, prompt, reference, base_output, tuned_output, scores "
                      "FROM evaluation_items WHERE evaluation_id = ? ORDER BY idx");
    q.bind(1, evaluationId);
    std::vector<EvaluationItem> out;
    while (q.step()) {
        EvaluationItem it;
        it.index = q.integer(0);
        if (!q.isNull(1))
            it.rowId = q.integer(1);
        it.subject = q.text(2);
        it.prompt = q.text(3);
        it.reference = q.text(4);
        it.baseOutput = q.text(5);
        it.tunedOutput = q.text(6);
        it.scores = parseObject(q.text(7));
        out.push_back(std::move(it));
    }
    return out;
}

void removeEvaluation(ProjectStore &store, int64_t id)
{
    Connection c(store);
    sql::Stmt(c.db, "DELETE FROM evaluations WHERE id = ?").bind(1, id).run();
}

std::optional<int64_t> runForAdapter(const ProjectStore &store, const std::string &adapterFolder)
{
    if (adapterFolder.empty())
        return std::nullopt;
    const std::string adapter = normalFolder(adapterFolder);
    for (const RunRecord &run : listRuns(store)) {
        if (run.folder.empty())
            continue;
        const std::string folder = normalFolder(run.folder);
        // final/, a checkpoint-N/ or the folder itself.
        if (adapter == folder || adapter.compare(0, folder.size() + 1, folder + "/") == 0)
            return run.id;
    }
    return std::nullopt;
}

} // namespace ft
