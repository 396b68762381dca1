// The project store: schema and migrations, one-transaction dataset writes (rollback leaves no
// trace), paged reads, filtered counts and pages, status / edits / findings / splits, and the
// failure cases (not a database, a newer schema, a busy writer).
#include "data/projectschema.h"
#include "data/sqlitedb.h"
#include "ft/error.h"
#include "ft/project.h"
#include "ft/reviewstore.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <fstream>
#include <random>

using namespace ft;

namespace {

NewRow makeRow(int64_t i, const std::string &source = "a.json")
{
    NewRow r;
    r.source = source;
    r.original = {{"instruction", "question " + std::to_string(i)}, {"output", "answer " + std::to_string(i)}};
    r.messages = {{"user", "question " + std::to_string(i)}, {"assistant", "answer " + std::to_string(i)}};
    r.system = i % 2 ? "be brief" : "";
    return r;
}

int64_t writeDataset(ProjectStore &store, const std::string &name, int64_t n, const std::string &hash = "h")
{
    auto w = store.beginDataset({name, "a.json", "alpaca", {{"q", "instruction"}}, hash});
    for (int64_t i = 0; i < n; ++i)
        w->addRow(makeRow(i, i % 3 ? "a.json" : "b.json"));
    return w->commit().id;
}

std::string scalar(const ProjectStore &store, const char *sqlText)
{
    auto *db = static_cast<sqlite3 *>(store.nativeHandle());
    sqlite3_stmt *st = nullptr;
    sqlite3_prepare_v2(db, sqlText, -1, &st, nullptr);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = reinterpret_cast<const char *>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

// The details of EXPLAIN QUERY PLAN, one line each.
std::string queryPlan(const ProjectStore &store, const std::string &sqlText)
{
    auto *db = static_cast<sqlite3 *>(store.nativeHandle());
    sqlite3_stmt *st = nullptr;
    sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sqlText).c_str(), -1, &st, nullptr);
    std::string out;
    while (sqlite3_step(st) == SQLITE_ROW)
        out += std::string(reinterpret_cast<const char *>(sqlite3_column_text(st, 3))) + "\n";
    sqlite3_finalize(st);
    return out;
}

template <typename F>
bool throwsBadInput(F f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.kind() == ErrorKind::BadInput;
    }
    return false;
}

} // namespace

class TestProjectStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsSchemaWithWalAndForeignKeys()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        QCOMPARE(store.schemaVersion(), ProjectStore::kSchemaVersion);
        QCOMPARE(scalar(store, "PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(scalar(store, "PRAGMA foreign_keys"), std::string("1"));
        QCOMPARE(scalar(store, "SELECT version FROM schema_version"), std::to_string(ProjectStore::kSchemaVersion));
        for (const char *t : {"datasets", "rows", "findings", "splits", "runs", "metrics", "checkpoints",
                              "comparisons", "ratings", "dataset_reviews", "rows_by_status", "findings_by_kind"}) {
            const std::string q = std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + t + "'";
            QCOMPARE(scalar(store, q.c_str()), std::string("1"));
        }
    }

    void migratesAnOlderFile()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("old.ftproj").toStdString();
        {   // A version-0 file: the version table exists but nothing else of the schema.
            sqlite3 *db = nullptr;
            QCOMPARE(sqlite3_open(file.c_str(), &db), SQLITE_OK);
            QCOMPARE(sqlite3_exec(db, "CREATE TABLE schema_version(version INTEGER NOT NULL);"
                                      "INSERT INTO schema_version VALUES (0);"
                                      "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('kept');",
                                  nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        }
        ProjectStore store(file, /*mustExist=*/true);
        QCOMPARE(store.schemaVersion(), ProjectStore::kSchemaVersion);
        QCOMPARE(scalar(store, "SELECT version FROM schema_version"), std::to_string(ProjectStore::kSchemaVersion));
        QCOMPARE(scalar(store, "SELECT text FROM notes"), std::string("kept"));
        QVERIFY(store.datasets().empty());
        writeDataset(store, "d", 3);
        QCOMPARE(store.dataset("d").rowCount, int64_t(3));
    }

    void migratesVersion1KeepingDataAndReviews()
    {
        // Version-1 files, as that program left them: one reviewed (its dataset_reviews created on
        // first use, as v1's saveReview did), one never reviewed (no such table).
        QTemporaryDir dir;
        const std::string reviewed = dir.filePath("v1-reviewed.ftproj").toStdString();
        const std::string plain = dir.filePath("v1-plain.ftproj").toStdString();
        for (const std::string &file : {reviewed, plain}) {
            sql::Db db;
            db.open(file, false);
            QCOMPARE(migrateProject(db, 1), 0);
            db.exec("INSERT INTO datasets(id, name, source_path, format, content_hash, imported_at, row_count) "
                    "VALUES (1, 'old', 'a.json', 'alpaca', 'h', '2026-01-01T00:00:00Z', 30)");
            db.exec("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29) "
                    "INSERT INTO rows(dataset_id, idx, original, messages, kind, status) "
                    "SELECT 1, i, '{}', '[{\"role\":\"user\",\"content\":\"q' || i || '\"}]', 'sft', "
                    "CASE WHEN i % 3 = 0 THEN 'excluded' ELSE 'pending' END FROM n");
            db.exec("INSERT INTO findings(row_id, kind, severity) SELECT id, 'exact_duplicate', 'warning' "
                    "FROM rows WHERE idx IN (4, 9, 12)");
            if (file == reviewed)
                db.exec("CREATE TABLE IF NOT EXISTS dataset_reviews(dataset_id INTEGER PRIMARY KEY REFERENCES "
                        "datasets(id) ON DELETE CASCADE, reviewed_at TEXT NOT NULL, report TEXT NOT NULL);"
                        "INSERT INTO dataset_reviews VALUES (1, '2026-01-02T00:00:00Z', '{\"score\": 81}')");
        }
        for (const std::string &file : {reviewed, plain}) {
            ProjectStore store(file, /*mustExist=*/true);
            QCOMPARE(store.schemaVersion(), ProjectStore::kSchemaVersion);
            QCOMPARE(scalar(store, "SELECT version FROM schema_version"), std::to_string(ProjectStore::kSchemaVersion));
            const DatasetInfo d = store.dataset("old");
            QCOMPARE(store.rowCount(d.id), int64_t(30));
            QCOMPARE(store.row(d.id, 29).messages.at(0).content, std::string("q29"));
            QCOMPARE(store.findingCount(d.id), int64_t(3));
            QCOMPARE(store.rowCount(d.id, RowFilter{RowStatus::Excluded, {}}), int64_t(10));
            QCOMPARE(store.rowCount(d.id, RowFilter{RowStatus::Excluded, "exact_duplicate"}), int64_t(2)); // 9, 12
            const auto report = loadReviewReport(store, d.id);
            if (file == reviewed) {
                QVERIFY(report);
                QCOMPARE((*report)["score"].get<int>(), 81);
                QCOMPARE((*report)["reviewed_at"].get<std::string>(), std::string("2026-01-02T00:00:00Z"));
            } else {
                QVERIFY(!report); // the table is there, empty
                QCOMPARE(scalar(store, "SELECT count(*) FROM dataset_reviews"), std::string("0"));
            }
        }
    }

    void filteredCountsAndPagesMatchAFullScan()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        const int64_t other = writeDataset(store, "other", 50, "h0"); // same kinds elsewhere: not counted
        const int64_t n = 3000;
        const int64_t id = writeDataset(store, "d", n, "h1");
        std::vector<int64_t> excluded, accepted;
        for (int64_t i = 0; i < n; ++i) {
            if (i % 7 == 0)
                excluded.push_back(i);
            else if (i % 11 == 0)
                accepted.push_back(i);
        }
        store.setStatus(id, excluded, RowStatus::Excluded);
        store.setStatus(id, accepted, RowStatus::Accepted);
        std::vector<Finding> fs;
        for (int64_t i = 0; i < n; i += 5) {
            fs.push_back({i, "exact_duplicate", "warning", json_object()});
            if (i % 3 == 0)
                fs.push_back({i, "exact_duplicate", "info", json_object()}); // two of a kind: one row
        }
        for (int64_t i = 1; i < n; i += 13)
            fs.push_back({i, "pii_email", "warning", json_object()});
        store.replaceFindings(id, fs);
        store.replaceFindings(other, {{0, "exact_duplicate", "warning", json_object()},
                                      {1, "pii_email", "warning", json_object()}});
        QCOMPARE(store.findingKinds(id), (std::vector<std::string>{"exact_duplicate", "pii_email"}));

        std::vector<ProjectRow> all;
        store.forEachRow(id, [&](const ProjectRow &r) { all.push_back(r); return true; });
        const std::vector<RowFilter> filters = {
            {RowStatus::Excluded, {}},       {RowStatus::Accepted, {}},
            {RowStatus::Pending, {}},        {std::nullopt, "exact_duplicate"},
            {std::nullopt, "pii_email"},     {RowStatus::Excluded, "exact_duplicate"},
            {RowStatus::Pending, "pii_email"}, {std::nullopt, "no_such_kind"},
            {std::nullopt, {}}};
        for (const RowFilter &filter : filters) {
            std::vector<int64_t> expected;
            for (const ProjectRow &r : all) {
                bool hasKind = filter.findingKind.empty();
                for (const Finding &f : fs)
                    hasKind = hasKind || (f.rowIndex == r.index && f.kind == filter.findingKind);
                if ((!filter.status || r.status == *filter.status) && hasKind)
                    expected.push_back(r.index);
            }
            const std::string what = std::string(filter.status ? rowStatusName(*filter.status) : "any") + "/" +
                                     filter.findingKind;
            QVERIFY2(store.rowCount(id, filter) == int64_t(expected.size()), what.c_str());
            // Pages by position, in index order, the last one short, past the end empty.
            for (int64_t pos : {int64_t(0), int64_t(1), int64_t(expected.size() / 2), int64_t(expected.size()) - 3}) {
                if (pos < 0 || pos >= int64_t(expected.size()))
                    continue;
                const auto page = store.rows(id, filter, pos, 40);
                const size_t want = std::min<size_t>(40, expected.size() - size_t(pos));
                QVERIFY2(page.size() == want, what.c_str());
                for (size_t k = 0; k < page.size(); ++k) {
                    QVERIFY2(page[k].index == expected[size_t(pos) + k], what.c_str());
                    QCOMPARE(page[k].messages.at(0).content, "question " + std::to_string(page[k].index));
                }
            }
            QVERIFY(store.rows(id, filter, int64_t(expected.size()), 40).empty());
            // Positions of matches, and -1 for a row that does not match.
            for (size_t k : {size_t(0), expected.size() / 3, expected.size() - 1})
                if (k < expected.size())
                    QVERIFY2(store.filteredPosition(id, filter, expected[k]) == int64_t(k), what.c_str());
            for (int64_t i = 0; i < n; ++i)
                if (!std::binary_search(expected.begin(), expected.end(), i)) {
                    QCOMPARE(store.filteredPosition(id, filter, i), int64_t(-1));
                    break;
                }
        }
        // The filters' queries (traced as the store runs them) walk indexes: no scan of the rows
        // or findings tables.
        std::vector<std::string> traced;
        auto *db = static_cast<sqlite3 *>(store.nativeHandle());
        sqlite3_trace_v2(db, SQLITE_TRACE_STMT, [](unsigned, void *out, void *stmt, void *) {
            if (char *sqlText = sqlite3_expanded_sql(static_cast<sqlite3_stmt *>(stmt))) {
                static_cast<std::vector<std::string> *>(out)->push_back(sqlText);
                sqlite3_free(sqlText);
            }
            return 0;
        }, &traced);
        for (const RowFilter &filter : filters) {
            store.rowCount(id, filter);
            store.rows(id, filter, 100, 40);
            store.filteredPosition(id, filter, 700);
        }
        sqlite3_trace_v2(db, 0, nullptr, nullptr);
        QVERIFY(traced.size() > filters.size() * 3);
        for (const std::string &sqlText : traced) {
            const std::string plan = queryPlan(store, sqlText);
            for (const char *scan : {"SCAN rows", "SCAN r ", "SCAN r\n", "SCAN findings", "SCAN f "})
                QVERIFY2(plan.find(scan) == std::string::npos, (sqlText + "\n" + plan).c_str());
        }
    }

    void refusesNewerSchemaAndNonDatabases()
    {
        QTemporaryDir dir;
        const std::string newer = dir.filePath("new.ftproj").toStdString();
        {
            sqlite3 *db = nullptr;
            sqlite3_open(newer.c_str(), &db);
            sqlite3_exec(db, "CREATE TABLE schema_version(version INTEGER); INSERT INTO schema_version VALUES (99);",
                         nullptr, nullptr, nullptr);
            sqlite3_close(db);
        }
        try {
            ProjectStore s(newer);
            QFAIL("a newer schema opened");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::BadInput);
            QVERIFY2(std::string(e.what()).find("newer") != std::string::npos, e.what());
        }
        const std::string junk = dir.filePath("junk.ftproj").toStdString();
        std::ofstream(junk) << "this is not a database, just some text that is long enough to matter\n";
        try {
            ProjectStore s(junk);
            QFAIL("a text file opened as a project");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::BadInput);
            QVERIFY2(std::string(e.what()).find("junk.ftproj") != std::string::npos, e.what());
        }
        try {
            ProjectStore s(dir.filePath("missing.ftproj").toStdString(), /*mustExist=*/true);
            QFAIL("a missing project opened");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::BadInput);
        }
    }

    void uncommittedWriterLeavesNoTrace()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("p.ftproj").toStdString();
        ProjectStore store(file);
        writeDataset(store, "kept", 5, "h1");
        {
            auto w = store.beginDataset({"dropped", "x.json", "alpaca", json_object(), "h2"});
            for (int i = 0; i < 100; ++i)
                w->addRow(makeRow(i));
        } // destroyed without commit
        QCOMPARE(store.datasets().size(), size_t(1));
        QCOMPARE(scalar(store, "SELECT count(*) FROM rows"), std::string("5"));
        // The name is free again and a second connection sees the same state.
        writeDataset(store, "dropped", 2, "h2");
        ProjectStore other(file, true);
        QCOMPARE(other.datasets().size(), size_t(2));
        QCOMPARE(other.dataset("dropped").rowCount, int64_t(2));
    }

    void readersRunBesideAWriter()
    {
        // WAL: a second connection (another thread's) reads the committed state while a dataset
        // is being written, without waiting for it.
        QTemporaryDir dir;
        const std::string file = dir.filePath("p.ftproj").toStdString();
        ProjectStore writer(file);
        writeDataset(writer, "old", 3, "h1");
        auto w = writer.beginDataset({"new", "x", "alpaca", json_object(), "h2"});
        for (int i = 0; i < 1000; ++i)
            w->addRow(makeRow(i));
        ProjectStore reader(file, true);
        QElapsedTimer t;
        t.start();
        QCOMPARE(reader.datasets().size(), size_t(1));
        QCOMPARE(reader.rows(reader.dataset("old").id, 0, 10).size(), size_t(3));
        QVERIFY(t.elapsed() < 2000);
        w->commit();
        QCOMPARE(reader.dataset("new").rowCount, int64_t(1000));
    }

    void duplicateNamesAndHashes()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        writeDataset(store, "a", 2, "samehash");
        QVERIFY(throwsBadInput([&] { store.beginDataset({"a", "", "alpaca", json_object(), "x"}); }));
        auto hit = store.findDatasetByHash("samehash");
        QVERIFY(hit);
        QCOMPARE(hit->name, std::string("a"));
        QVERIFY(!store.findDatasetByHash("other"));
        try {
            store.dataset("nope");
            QFAIL("missing dataset found");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("it has: a") != std::string::npos, e.what());
        }
    }

    void pagedReadsStatusEditsFindings()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        const int64_t n = 20000;
        QElapsedTimer t;
        t.start();
        const int64_t id = writeDataset(store, "big", n);
        const qint64 insertMs = t.elapsed();
        QCOMPARE(store.rowCount(id), n);
        std::mt19937 rng(7);
        t.start();
        for (int k = 0; k < 200; ++k) {
            const int64_t off = static_cast<int64_t>(rng() % (n - 50));
            const auto page = store.rows(id, off, 50);
            QCOMPARE(page.size(), size_t(50));
            QCOMPARE(page.front().index, off);
            QCOMPARE(page.back().index, off + 49);
            QCOMPARE(page[3].messages.at(0).content, "question " + std::to_string(off + 3));
            QCOMPARE(page[3].original["output"].get<std::string>(), "answer " + std::to_string(off + 3));
        }
        const qint64 pagesMs = t.elapsed();
        qInfo("20k rows: insert %lld ms, 200 random 50-row pages %lld ms", (long long)insertMs, (long long)pagesMs);
        QCOMPARE(store.rows(id, n - 10, 50).size(), size_t(10));
        QVERIFY(store.rows(id, n, 50).empty());

        store.setStatus(id, {1, 2, 5}, RowStatus::Excluded);
        store.setStatus(id, {7}, RowStatus::Accepted);
        QCOMPARE(store.rowCount(id, RowStatus::Excluded), int64_t(3));
        QCOMPARE(store.rowCount(id, RowStatus::Accepted), int64_t(1));
        QVERIFY(throwsBadInput([&] { store.setStatus(id, {0, n}, RowStatus::Accepted); }));
        QCOMPARE(store.rowCount(id, RowStatus::Accepted), int64_t(1)); // nothing half-applied

        store.editRow(id, 4, {{"user", "better question"}, {"assistant", "better answer"}});
        ProjectRow r = store.row(id, 4);
        QVERIFY(r.edited);
        QCOMPARE(r.effectiveMessages().at(1).content, std::string("better answer"));
        QCOMPARE(r.messages.at(1).content, std::string("answer 4")); // the original is kept
        store.revertEdit(id, 4);
        QVERIFY(!store.row(id, 4).edited);
        QVERIFY(throwsBadInput([&] { store.row(id, -1); }));

        std::vector<Finding> fs;
        fs.push_back({3, "pii_email", "warning", {{"match", "a@b.c"}}});
        fs.push_back({3, "exact_duplicate", "warning", {{"of", 9}}});
        fs.push_back({9, "exact_duplicate", "info", {{"of", 3}}});
        store.replaceFindings(id, fs);
        QCOMPARE(store.findingCount(id), int64_t(3));
        QCOMPARE(store.dataset("big").findingCount, int64_t(3));
        QCOMPARE(store.row(id, 3).findingCount, int64_t(2));
        QCOMPARE(store.rowFindings(id, 3).at(0).detail["match"].get<std::string>(), std::string("a@b.c"));
        // Replacing one kind keeps the others; a bad row index rolls the whole call back.
        store.replaceFindings(id, {{5, "exact_duplicate", "warning", json_object()}}, {"exact_duplicate"});
        QCOMPARE(store.findingCount(id), int64_t(2));
        QVERIFY(throwsBadInput([&] { store.replaceFindings(id, {{n + 1, "x", "info", json_object()}}); }));
        QCOMPARE(store.findingCount(id), int64_t(2));

        // Removing the dataset cascades to rows and findings.
        store.removeDataset(id);
        QCOMPARE(scalar(store, "SELECT count(*) FROM rows"), std::string("0"));
        QCOMPARE(scalar(store, "SELECT count(*) FROM findings"), std::string("0"));
    }

    void renameDataset()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        const int64_t a = writeDataset(store, "support", 3, "h1");
        const int64_t b = writeDataset(store, "faq", 2, "h2");
        store.renameDataset(a, "  support-2024 ");
        QCOMPARE(store.dataset("support-2024").id, a);
        QCOMPARE(store.dataset("support-2024").rowCount, int64_t(3));
        QVERIFY(!store.findDataset("support"));
        QVERIFY(throwsBadInput([&] { store.renameDataset(b, "support-2024"); }));  // taken
        QVERIFY(throwsBadInput([&] { store.renameDataset(b, "   "); }));
        QVERIFY(throwsBadInput([&] { store.renameDataset(9999, "x"); }));
        QCOMPARE(store.dataset("faq").id, b);  // unchanged by the refusals
        store.renameDataset(b, "faq");  // its own name: nothing to do
        // The new name lasts: another connection reads it.
        ProjectStore reader(dir.filePath("p.ftproj").toStdString(), true);
        QCOMPARE(reader.dataset("support-2024").id, a);
    }

    void seededSplits()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        const int64_t id = writeDataset(store, "d", 1000);
        QVERIFY(!store.hasSplits(id));
        SplitCounts c = store.assignSplits(id, {0.1, 0.05, 42, false});
        QCOMPARE(c.train + c.validation + c.test, int64_t(1000));
        QCOMPARE(c.validation, int64_t(100));
        QCOMPARE(c.test, int64_t(50));
        auto splitsOf = [&] {
            std::vector<std::string> s;
            store.forEachRow(id, [&](const ProjectRow &r) { s.push_back(r.split); return true; });
            return s;
        };
        const auto first = splitsOf();
        store.assignSplits(id, {0.1, 0.05, 42, false});
        QCOMPARE(splitsOf(), first); // same seed, same split
        store.assignSplits(id, {0.1, 0.05, 43, false});
        QVERIFY(splitsOf() != first);
        // Stratified by source: each source keeps its share (sources: 1/3 "b.json", 2/3 "a.json").
        store.assignSplits(id, {0.2, 0.0, 1, true});
        int64_t valB = 0, allB = 0;
        store.forEachRow(id, [&](const ProjectRow &r) {
            if (r.source == "b.json") {
                ++allB;
                valB += r.split == "validation";
            }
            return true;
        });
        QCOMPARE(valB, static_cast<int64_t>(allB * 0.2 + 0.5));
        QVERIFY(throwsBadInput([&] { store.assignSplits(id, {0.6, 0.5, 1, false}); }));
    }

    void projectDatasetSpec()
    {
        auto p = parseProjectDataset("runs/my.ftproj#alpaca_en_demo");
        QVERIFY(p);
        QCOMPARE(p->first.string(), std::string("runs/my.ftproj"));
        QCOMPARE(p->second, std::string("alpaca_en_demo"));
        QVERIFY(!parseProjectDataset("data/train.jsonl"));
        QVERIFY(!parseProjectDataset("data/train#1.jsonl"));
    }

private:
    static nlohmann::json json_object() { return nlohmann::json::object(); }
};

QTEST_APPLESS_MAIN(TestProjectStore)
#include "tst_projectstore.moc"
