// kill -9 while the window writes: the edits, status changes, reverts and blind votes the Data and
// Compare pages make go through ProjectStore::editRow / setStatus / revertEdit and
// addRatedComparison. A child process (this executable, FT_KILL_WRITER set) makes them in a loop
// and reports each one after it returned; the test kills it at random moments, then opens the
// project: SQLite's integrity check passes, every reported change is there, every edit and vote
// is whole (never half of one), and the project takes new writes.
#include "ft/dataimport.h"
#include "ft/error.h"
#include "ft/project.h"
#include "ft/ratingstore.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>

using namespace ft;

namespace {

constexpr int kRows = 400;
constexpr int kStatusRows = 150;
const char *kDataset = "support";

std::string answerOf(int op) { return "answer of edit " + std::to_string(op) + " " + std::string(400, 'x'); }

// The child: endless writes, each reported on stdout once its call has returned.
int runWriter(const std::string &project, int firstOp)
{
    ProjectStore store(project, /*mustExist=*/true);
    const DatasetInfo d = store.dataset(kDataset);
    std::printf("ready\n");
    std::fflush(stdout);
    for (int op = firstOp;; ++op) {
        const int row = op % kRows;
        switch (op % 4) {
        case 0:
        case 1:
            store.editRow(d.id, row, {{"user", "question of edit " + std::to_string(op)},
                                      {"assistant", answerOf(op)}});
            std::printf("edit %d %d\n", op, row);
            break;
        case 2: {
            RatedComparison c;
            c.prompt = "prompt of vote " + std::to_string(op);
            c.baseOutput = "base " + std::to_string(op);
            c.tunedOutput = "tuned " + std::to_string(op) + std::string(300, 'y');
            c.tuned = "run-" + std::to_string(op);
            c.tunedSide = op % 8 < 4 ? "A" : "B";
            c.verdict = op % 3 == 0 ? "tuned" : op % 3 == 1 ? "base" : "tie";
            c.note = "note " + std::to_string(op);
            addRatedComparison(store, c);
            std::printf("vote %d\n", op);
            break;
        }
        default: {
            std::vector<int64_t> rows; // always the same rows: each call sets all of them
            for (int i = 0; i < kStatusRows; ++i)
                rows.push_back(i);
            store.setStatus(d.id, rows, op % 8 == 3 ? RowStatus::Excluded : RowStatus::Accepted);
            std::printf("status %d\n", op);
            break;
        }
        }
        std::fflush(stdout);
    }
}

} // namespace

class TestProjectKill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedWritesAreWholeOrAbsent();
};

void TestProjectKill::killedWritesAreWholeOrAbsent()
{
    QTemporaryDir dir;
    const std::string project = dir.filePath("p.ftproj").toStdString();
    {
        const std::string data = dir.filePath("d.jsonl").toStdString();
        std::ofstream out(data);
        for (int i = 0; i < kRows; ++i)
            out << "{\"instruction\": \"q" << i << "\", \"output\": \"a" << i << "\"}\n";
        out.close();
        ProjectStore store(project);
        ImportOptions options;
        options.name = kDataset;
        importDataset(store, {data}, options);
    }
    std::map<int, int> reportedEdits; // op -> row
    std::set<int> reportedVotes;
    int kills = 0, nextOp = 0;
    QRandomGenerator rng(16);
    for (int round = 0; round < 12; ++round) {
        QProcess writer;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("FT_KILL_WRITER", QString::fromStdString(project));
        env.insert("FT_KILL_FIRST_OP", QString::number(nextOp));
        writer.setProcessEnvironment(env);
        writer.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(writer.waitForStarted());
        QVERIFY(writer.waitForReadyRead(60000)); // "ready": the project is open
        QTest::qWait(20 + int(rng.bounded(300)));
        QVERIFY2(writer.state() == QProcess::Running, writer.readAllStandardError().constData());
        writer.kill(); // SIGKILL
        QVERIFY(writer.waitForFinished());
        ++kills;
        int last = nextOp - 1;
        for (const QByteArray &line : writer.readAllStandardOutput().split('\n')) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() < 2)
                continue;
            const int op = parts[1].toInt();
            last = std::max(last, op);
            if (parts[0] == "edit")
                reportedEdits[op] = parts[2].toInt();
            else if (parts[0] == "vote")
                reportedVotes.insert(op);
        }
        nextOp = last + 2; // the op after the last reported one may have committed: skip its number

        // The project opens and is whole.
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open_v2(project.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_stmt *check = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr);
        QCOMPARE(sqlite3_step(check), SQLITE_ROW);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(check, 0))), QByteArray("ok"));
        sqlite3_finalize(check);
        sqlite3_close(db);

        ProjectStore store(project, /*mustExist=*/true);
        const DatasetInfo d = store.dataset(kDataset);
        QCOMPARE(store.rowCount(d.id), int64_t(kRows));
        // Every edit is whole: its question and answer come from the same op; and for each row
        // the newest reported edit (or a later, unreported one) is what the row holds.
        std::map<int, int> newestReported; // row -> op
        for (const auto &[op, row] : reportedEdits)
            newestReported[row] = std::max(newestReported.count(row) ? newestReported[row] : -1, op);
        for (const ProjectRow &r : store.rows(d.id, 0, kRows)) {
            if (!r.edited) {
                QVERIFY2(!newestReported.count(int(r.index)), "a reported edit is missing");
                continue;
            }
            QCOMPARE(r.edited->size(), size_t(2));
            const std::string question = (*r.edited)[0].content;
            const int op = std::atoi(question.substr(question.rfind(' ') + 1).c_str());
            QCOMPARE((*r.edited)[1].content, answerOf(op));
            QCOMPARE(op % kRows, int(r.index));
            if (newestReported.count(int(r.index)))
                QVERIFY2(op >= newestReported[int(r.index)], "an older edit replaced a reported one");
        }
        // Every reported vote is there, and every stored vote is whole.
        std::set<int> stored;
        for (const RatedComparison &c : ratedComparisons(store)) {
            const int op = std::atoi(c.prompt.substr(c.prompt.rfind(' ') + 1).c_str());
            QCOMPARE(c.note, "note " + std::to_string(op));
            QCOMPARE(c.tunedOutput, "tuned " + std::to_string(op) + std::string(300, 'y'));
            stored.insert(op);
        }
        for (int op : reportedVotes)
            QVERIFY2(stored.count(op), qPrintable(QString("reported vote %1 is missing").arg(op)));
        // Status changes are whole: every call sets the same rows, so they share one status.
        const std::vector<ProjectRow> statusRows = store.rows(d.id, 0, kStatusRows);
        for (const ProjectRow &r : statusRows)
            QCOMPARE(int(r.status), int(statusRows.front().status));
    }
    qInfo("%d kills; %zu edits and %zu votes reported before them", kills, reportedEdits.size(),
          reportedVotes.size());
    QVERIFY2(reportedEdits.size() >= 10 && reportedVotes.size() >= 5,
             "too few writes happened before the kills: the test proves nothing");
    // And the project still takes writes.
    ProjectStore store(project, /*mustExist=*/true);
    const DatasetInfo d = store.dataset(kDataset);
    store.editRow(d.id, 0, {{"user", "after"}, {"assistant", "the kills"}});
    QCOMPARE(store.row(d.id, 0).edited->at(1).content, std::string("the kills"));
    QCOMPARE(kills, 12);
}

int main(int argc, char **argv)
{
    if (const char *project = std::getenv("FT_KILL_WRITER")) {
        const char *first = std::getenv("FT_KILL_FIRST_OP");
        try {
            return runWriter(project, first ? std::atoi(first) : 0);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "writer: %s\n", e.what());
            return 1;
        }
    }
    QCoreApplication app(argc, argv);
    TestProjectKill test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_projectkill.moc"
