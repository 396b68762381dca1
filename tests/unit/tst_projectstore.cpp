// The project store: schema and migrations, one-transaction dataset writes (rollback leaves no
// trace), paged reads, status / edits / findings / splits, and the failure cases (not a
// database, a newer schema, a busy writer).
#include "ft/error.h"
#include "ft/project.h"

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
        QCOMPARE(store.schemaVersion(), 1);
        QCOMPARE(scalar(store, "PRAGMA journal_mode"), std::string("wal"));
        QCOMPARE(scalar(store, "PRAGMA foreign_keys"), std::string("1"));
        QCOMPARE(scalar(store, "SELECT version FROM schema_version"), std::string("1"));
        for (const char *t : {"datasets", "rows", "findings", "splits", "runs", "metrics", "checkpoints",
                              "comparisons", "ratings"}) {
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
        QCOMPARE(store.schemaVersion(), 1);
        QCOMPARE(scalar(store, "SELECT version FROM schema_version"), std::string("1"));
        QCOMPARE(scalar(store, "SELECT text FROM notes"), std::string("kept"));
        QVERIFY(store.datasets().empty());
        writeDataset(store, "d", 3);
        QCOMPARE(store.dataset("d").rowCount, int64_t(3));
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
