// The project's safety net: the last good backup (a consistent copy, restored over a damaged
// file that is kept aside) and the lock that tells a second studio the project is open.
#include "ft/dataimport.h"
#include "ft/error.h"
#include "ft/project.h"
#include "ft/projectsafety.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <fstream>
#include <functional>

#include <unistd.h>

using namespace ft;

class TestProjectSafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backupRestoresADamagedProject();
    void noBackupIsAClearError();
    void aMissingColumnOrTableIsDamage();
    void secondOpenIsTold();
};

namespace {

std::string write(const QTemporaryDir &dir, const std::string &name, const std::string &bytes)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::string badInputMessage(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.kind() == ErrorKind::BadInput ? e.what() : std::string("(not BadInput) ") + e.what();
    }
    return "(no error)";
}

} // namespace

void TestProjectSafety::backupRestoresADamagedProject()
{
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("p.ftproj").toStdString();
    std::string rows;
    for (int i = 0; i < 2000; ++i)
        rows += "{\"instruction\": \"q" + std::to_string(i) + "\", \"output\": \"a\"}\n";
    {
        ProjectStore store(file);
        importDataset(store, {write(dir, "d.jsonl", rows)}, {});
        writeProjectBackup(store);
        // Written after the backup: not in it.
        importDataset(store, {write(dir, "later.jsonl", "{\"text\": \"x\"}\n")}, {});
    }
    QVERIFY(std::filesystem::exists(projectBackupPath(file)));
    // Damage the project's pages (the header survives, the tables do not).
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(4096);
        const std::string junk(64 * 1024, '\x5a');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    const std::string m = badInputMessage([&] {
        ProjectStore damaged(file, true);
        for (const auto &d : damaged.datasets())
            damaged.rows(d.id, 0, 5000);
    });
    QVERIFY2(m.find("damaged") != std::string::npos || m.find("not a project") != std::string::npos, m.c_str());

    restoreProjectBackup(file);
    QVERIFY(std::filesystem::exists(file.string() + ".damaged"));
    ProjectStore restored(file, true);
    QCOMPARE(restored.datasets().size(), std::size_t(1));
    QCOMPARE(restored.dataset("d").rowCount, int64_t(2000));
    QCOMPARE(restored.rows(restored.dataset("d").id, 1999, 1).at(0).messages.at(0).content, std::string("q1999"));
}

void TestProjectSafety::noBackupIsAClearError()
{
    QTemporaryDir dir;
    const std::string m = badInputMessage([&] { restoreProjectBackup(dir.filePath("none.ftproj").toStdString()); });
    QVERIFY2(m.find("no backup") != std::string::npos, m.c_str());
}

void TestProjectSafety::aMissingColumnOrTableIsDamage()
{
    // Found by fuzz_project: a current schema version over a table that lacks a column failed
    // mid-query with an internal "no such column" instead of saying the file is damaged.
    QTemporaryDir dir;
    const struct {
        const char *name, *sql, *expected;
    } cases[] = {
        {"column.ftproj", "ALTER TABLE datasets DROP COLUMN column_mapping",
         "table 'datasets' has no column 'column_mapping'"},
        {"table.ftproj", "DROP TABLE findings", "table 'findings' is missing"},
    };
    for (const auto &c : cases) {
        const std::string file = dir.filePath(QString::fromLatin1(c.name)).toStdString();
        {
            ProjectStore store(file, /*mustExist=*/false);
            auto *db = static_cast<sqlite3 *>(store.nativeHandle());
            QCOMPARE(sqlite3_exec(db, "PRAGMA foreign_keys = OFF", nullptr, nullptr, nullptr), SQLITE_OK);
            QCOMPARE(sqlite3_exec(db, c.sql, nullptr, nullptr, nullptr), SQLITE_OK);
        }
        const std::string m = badInputMessage([&] { ProjectStore reopened(file, /*mustExist=*/true); });
        QVERIFY2(m.find("project file is damaged") != std::string::npos && m.find(c.expected) != std::string::npos,
                 m.c_str());
    }
}

void TestProjectSafety::secondOpenIsTold()
{
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("p.ftproj").toStdString();
    std::string holder;
    auto first = ProjectLock::acquire(file, holder);
    QVERIFY(first);
    auto second = ProjectLock::acquire(file, holder);
    QVERIFY(!second);
    QVERIFY2(holder.find("process " + std::to_string(::getpid())) == 0, holder.c_str());
    first.reset();
    auto third = ProjectLock::acquire(file, holder);
    QVERIFY(third);
}

QTEST_APPLESS_MAIN(TestProjectSafety)
#include "tst_projectsafety.moc"
