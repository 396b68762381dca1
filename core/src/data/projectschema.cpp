#include "data/projectschema.h"

#include "ft/error.h"
#include "ft/project.h"

#include <map>
#include <set>
#include <string>

namespace ft {
namespace {

// v0 -> v1: datasets, rows, findings, splits, and room for the later issues (runs, metrics,
// checkpoints, comparisons, ratings).
const char *kMigrationV1 = R"sql(
CREATE TABLE datasets(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source_path TEXT NOT NULL,
  format TEXT NOT NULL,
  column_mapping TEXT NOT NULL DEFAULT '{}',
  content_hash TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  row_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX datasets_by_hash ON datasets(content_hash);
CREATE TABLE rows(
  id INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  original TEXT NOT NULL,
  messages TEXT NOT NULL,
  system TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind IN ('sft', 'preference', 'choice', 'text')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'excluded')),
  edited TEXT,
  edited_at TEXT,
  UNIQUE (dataset_id, idx));
CREATE TABLE findings(
  id INTEGER PRIMARY KEY,
  row_id INTEGER NOT NULL REFERENCES rows(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX findings_by_row ON findings(row_id);
CREATE TABLE splits(
  row_id INTEGER PRIMARY KEY REFERENCES rows(id) ON DELETE CASCADE,
  split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
  seed INTEGER NOT NULL);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  name TEXT,
  config TEXT,
  output_dir TEXT,
  started_at TEXT,
  finished_at TEXT,
  status TEXT);
CREATE TABLE metrics(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL);
CREATE INDEX metrics_by_run ON metrics(run_id, name, step);
CREATE TABLE checkpoints(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  path TEXT NOT NULL,
  created_at TEXT);
CREATE TABLE comparisons(
  id INTEGER PRIMARY KEY,
  created_at TEXT,
  prompt TEXT,
  config TEXT);
CREATE TABLE ratings(
  id INTEGER PRIMARY KEY,
  comparison_id INTEGER NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
  candidate TEXT,
  score REAL,
  note TEXT);
)sql";

// v1 -> v2: filtered views answered by indexes (rows by status, findings by kind; both end in
// the row order so a page by position is an index walk, not a sort), and the review report's
// table, which v1 files may already have (it was created on first use then).
const char *kMigrationV2 = R"sql(
CREATE INDEX rows_by_status ON rows(dataset_id, status, idx);
CREATE INDEX findings_by_kind ON findings(kind, row_id);
CREATE TABLE IF NOT EXISTS dataset_reviews(
  dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  reviewed_at TEXT NOT NULL,
  report TEXT NOT NULL);
)sql";

// v2 -> v3: runs become first-class (ft/runstore.h): the base model, the dataset, notes,
// progress (steps, last checkpoint, final loss), timestamps and the training process's id (a
// run left "running" by a process that is gone reads as crashed); and per-project settings
// (key -> JSON: the Train page's settings, the last model). v1's runs table had no writer, so
// its rows (if any) only gain the new columns.
const char *kMigrationV3 = R"sql(
ALTER TABLE runs ADD COLUMN base_model TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN dataset TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN steps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN total_steps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN last_checkpoint_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN final_loss REAL;
ALTER TABLE runs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET created_at = coalesce(started_at, ''), updated_at = coalesce(finished_at, started_at, ''),
  name = coalesce(name, ''), config = coalesce(config, '{}'), output_dir = coalesce(output_dir, ''),
  status = coalesce(status, 'stopped');
CREATE TABLE project_settings(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL);
)sql";

// v3 -> v4: evaluation results (ft/evalstore.h). An evaluation is one benchmark or domain test
// of a base model and, when a run or adapter is given, the tuned model beside it; its items hold
// each question / row with both outputs and their scores, so the matrix and the Evaluate page's
// rows list are answered from the file without evaluating again.
const char *kMigrationV4 = R"sql(
CREATE TABLE evaluations(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('benchmark', 'domain')),
  model TEXT NOT NULL DEFAULT '',
  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  adapter TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  settings TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '{}');
CREATE INDEX evaluations_by_run ON evaluations(run_id, kind, id);
CREATE TABLE evaluation_items(
  evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  row_id INTEGER,
  subject TEXT NOT NULL DEFAULT '',
  prompt TEXT NOT NULL,
  reference TEXT NOT NULL DEFAULT '',
  base_output TEXT NOT NULL DEFAULT '',
  tuned_output TEXT NOT NULL DEFAULT '',
  scores TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (evaluation_id, idx));
)sql";

// migrations[v] takes a file from version v to v + 1.
const char *const kMigrations[] = {kMigrationV1, kMigrationV2, kMigrationV3, kMigrationV4};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == ProjectStore::kSchemaVersion,
              "one migration per schema version");

bool hasTable(sql::Db &db, const char *name)
{
    sql::Stmt q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    q.bind(1, std::string(name));
    return q.step();
}

int readVersion(sql::Db &db)
{
    if (!hasTable(db, "schema_version"))
        return 0;
    sql::Stmt q(db, "SELECT max(version) FROM schema_version");
    return q.step() && !q.isNull(0) ? static_cast<int>(q.integer(0)) : 0;
}

using Schema = std::map<std::string, std::set<std::string>>; // table -> its columns

Schema readSchema(sql::Db &db)
{
    Schema schema;
    sql::Stmt tables(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (tables.step()) {
        const std::string table = tables.text(0);
        sql::Stmt columns(db, "SELECT name FROM pragma_table_info(?)");
        columns.bind(1, table);
        auto &names = schema[table];
        while (columns.step())
            names.insert(columns.text(0));
    }
    return schema;
}

// The schema this program writes: every migration run on an empty in-memory database.
const Schema &expectedSchema()
{
    static const Schema schema = [] {
        sql::Db memory;
        memory.open(":memory:", /*mustExist=*/false);
        memory.exec("CREATE TABLE schema_version(version INTEGER NOT NULL)");
        for (const char *migration : kMigrations)
            memory.exec(migration);
        return readSchema(memory);
    }();
    return schema;
}

// A file whose version says current but whose tables lack columns (damaged, or edited by
// hand) would fail later in the middle of a query; say so when it is opened.
void verifySchema(sql::Db &db)
{
    const Schema found = readSchema(db);
    for (const auto &[table, columns] : expectedSchema()) {
        const auto it = found.find(table);
        if (it == found.end())
            throwBadInput(db.file() + ": project file is damaged (table '" + table + "' is missing)");
        for (const auto &column : columns)
            if (!it->second.count(column))
                throwBadInput(db.file() + ": project file is damaged (table '" + table + "' has no column '" +
                              column + "')");
    }
}

} // namespace

int migrateProject(sql::Db &db, int targetVersion)
{
    const int found = readVersion(db); // also the first read: a non-database fails here
    if (targetVersion < 0 || targetVersion > ProjectStore::kSchemaVersion)
        throw Error(ErrorKind::Internal, "migrateProject: no schema version " + std::to_string(targetVersion));
    if (found > ProjectStore::kSchemaVersion)
        throwBadInput(db.file() + ": project schema version " + std::to_string(found) +
                      " is newer than this program's (" + std::to_string(ProjectStore::kSchemaVersion) +
                      "); open it with a newer FineTune Studio");
    for (int v = found; v < targetVersion; ++v) {
        sql::Transaction tx(db);
        if (!hasTable(db, "schema_version"))
            db.exec("CREATE TABLE schema_version(version INTEGER NOT NULL)");
        db.exec(kMigrations[v]);
        db.exec("DELETE FROM schema_version");
        sql::Stmt(db, "INSERT INTO schema_version(version) VALUES (?)").bind(1, int64_t(v + 1)).run();
        tx.commit();
    }
    if (targetVersion == ProjectStore::kSchemaVersion)
        verifySchema(db);
    return found;
}

} // namespace ft
