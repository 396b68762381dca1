// Dataset review over a row source: findings across chunks, rows read in bounded chunks and only
// the compared ones again, the review read from a project store chunk by chunk, and the counts
// and bad options of the whole review.
#include "reviewtestrows.h"
#include "testfixtures.h"

#include "ft/error.h"
#include "ft/project.h"
#include "ft/review.h"
#include "ft/reviewstore.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <vector>

using namespace reviewtest;
using ft::ReviewRow;

class TestReviewChunks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A source bigger than one chunk: duplicates, near duplicates and leakage are found across
    // chunks; the rows are read in bounded chunks, and only the few compared or quoted rows again.
    void acrossChunks()
    {
        auto rows = cleanRows(20000);
        for (auto &r : rows)
            r.split = "train";
        const std::string story = longParagraph(4);
        std::string edited = story;
        edited.replace(edited.find("data") == std::string::npos ? 0 : edited.find("data"), 4, "info");
        rows[5] = qa(5, "Name the largest planet.", "Jupiter is the largest planet.", "train");
        rows[17000] = qa(17000, "name the largest  planet.", "Jupiter is the largest planet.", "train");
        rows[100] = qa(100, "Write a story.", story, "train");
        rows[16500] = qa(16500, "Write a story.", edited, "validation");

        class CountingRows : public ft::ReviewRowSource
        {
        public:
            explicit CountingRows(const std::vector<ReviewRow> &rows) : m_rows(rows) {}
            std::size_t size() const override { return m_rows.size(); }
            void read(std::size_t begin, std::size_t count, std::vector<ReviewRow> &out) const override
            {
                largestRead = std::max(largestRead.load(), count);
                readRows += count;
                out.assign(m_rows.begin() + static_cast<std::ptrdiff_t>(begin),
                           m_rows.begin() + static_cast<std::ptrdiff_t>(begin + count));
            }
            ReviewRow at(std::size_t index) const override
            {
                ++readBack;
                return m_rows.at(index);
            }
            mutable std::atomic<std::size_t> largestRead{0}, readRows{0}, readBack{0};

        private:
            const std::vector<ReviewRow> &m_rows;
        } source(rows);

        const auto result = ft::reviewDataset(source, {});
        QCOMPARE(rowsWith(result, ft::finding::ExactDuplicate), (std::set<int64_t>{17000}));
        QCOMPARE(rowsWith(result, ft::finding::NearDuplicate), (std::set<int64_t>{16500}));
        QCOMPARE(rowsWith(result, ft::finding::SplitLeakage), (std::set<int64_t>{16500}));
        QCOMPARE(findingsOf(result, ft::finding::NearDuplicate).front().detail["representative"].get<int64_t>(),
                 int64_t(100));
        QCOMPARE(result.tokenCounts.size(), rows.size());
        QCOMPARE(result.report["rows"].get<std::size_t>(), rows.size());
        QVERIFY(source.largestRead.load() <= 8192);
        QCOMPARE(source.readRows.load(), rows.size());  // one pass
        // Read back: the rows that meet another in an LSH bucket (these template-made rows share
        // many words: ~1,700 of them) and the quoted representatives; never the whole set.
        QVERIFY2(source.readBack.load() < rows.size() / 4, std::to_string(source.readBack.load()).c_str());

        // Cancelled while the rows are read: stops within a chunk or two, not at the end.
        std::atomic<bool> cancel{false};
        class CancellingRows : public ft::ReviewRowSource
        {
        public:
            CancellingRows(const std::vector<ReviewRow> &rows, std::atomic<bool> &cancel)
                : m_rows(rows), m_cancel(cancel)
            {
            }
            std::size_t size() const override { return m_rows.size(); }
            void read(std::size_t begin, std::size_t count, std::vector<ReviewRow> &out) const override
            {
                m_cancel = true;  // the first chunk read asks to stop
                readRows += count;
                out.assign(m_rows.begin() + static_cast<std::ptrdiff_t>(begin),
                           m_rows.begin() + static_cast<std::ptrdiff_t>(begin + count));
            }
            ReviewRow at(std::size_t index) const override { return m_rows.at(index); }
            mutable std::atomic<std::size_t> readRows{0};

        private:
            const std::vector<ReviewRow> &m_rows;
            std::atomic<bool> &m_cancel;
        } cancelling(rows, cancel);
        ft::ReviewOptions cancellable;
        cancellable.cancel = &cancel;
        try {
            ft::reviewDataset(cancelling, cancellable);
            QFAIL("not cancelled");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::Cancelled);
        }
        QVERIFY(cancelling.readRows.load() < rows.size());

        // The in-memory overload gives the same review.
        auto same = ft::reviewDataset(rows, {});
        auto a = result.report, b = same.report;
        a.erase("timings_s");
        b.erase("timings_s");
        QVERIFY(a == b);
        QCOMPARE(same.findings.size(), result.findings.size());
        QVERIFY(same.tokenCounts == result.tokenCounts);
    }

    void storedInProject()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string file = dir.filePath("p.ftproj").toStdString();
        int64_t datasetId = 0;
        {
            ft::ProjectStore store(file);
            auto writer = store.beginDataset({"d", "mem", "alpaca", nlohmann::json::object(), "h1"});
            for (const auto &r : cleanRows(30)) {
                ft::NewRow row;
                row.source = "mem";
                row.messages = r.messages;
                writer->addRow(row);
            }
            ft::NewRow dup;
            dup.messages = cleanRows(1).front().messages;  // = row 0
            dup.system = "You are terse.";
            writer->addRow(dup);
            ft::NewRow pii;
            pii.messages = {{"user", "mail me at x.y@example.com"}, {"assistant", "ok"}};
            writer->addRow(pii);
            datasetId = writer->commit().id;
        }
        ft::ProjectStore store(file, true);
        store.editRow(datasetId, 4, {{"user", "An edited \"question\" \u00e9?"}, {"assistant", "An edited answer."}});
        store.assignSplits(datasetId, ft::SplitOptions());
        const auto rows = ft::reviewRowsOf(store, datasetId);
        QCOMPARE(rows.size(), std::size_t(32));
        QCOMPARE(rows[4].messages.front().content, std::string("An edited \"question\" \u00e9?"));
        // The chunk reader (its own query and the messages read without a JSON tree) gives the
        // same rows as the store's full rows: ids, sources, splits, the system prompt first, the edit.
        std::vector<ft::ReviewRow> read(3);  // storage to reuse, as the review's chunks are
        ft::StoreReviewRows(store, datasetId).read(0, rows.size(), read);
        QCOMPARE(read.size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE(read[i].rowId, rows[i].rowId);
            QCOMPARE(read[i].source, rows[i].source);
            QCOMPARE(read[i].split, rows[i].split);
            QCOMPARE(read[i].plainText, rows[i].plainText);
            QCOMPARE(read[i].messages.size(), rows[i].messages.size());
            for (std::size_t m = 0; m < rows[i].messages.size(); ++m) {
                QCOMPARE(read[i].messages[m].role, rows[i].messages[m].role);
                QCOMPARE(read[i].messages[m].content, rows[i].messages[m].content);
            }
        }
        QVERIFY(!rows[0].split.empty());
        QCOMPARE(rows[30].messages.front().role, std::string("system"));
        QCOMPARE(rows[30].rowId, int64_t(30));
        const auto result = ft::reviewDataset(rows, {});
        // Read from the store a chunk at a time: the same review.
        const auto streamed = ft::reviewDataset(ft::StoreReviewRows(store, datasetId), {});
        QCOMPARE(streamed.findings.size(), result.findings.size());
        for (std::size_t i = 0; i < result.findings.size(); ++i) {
            QCOMPARE(streamed.findings[i].rowId, result.findings[i].rowId);
            QCOMPARE(streamed.findings[i].message, result.findings[i].message);
            QVERIFY(streamed.findings[i].detail == result.findings[i].detail);
        }
        QVERIFY(streamed.tokenCounts == result.tokenCounts);
        ft::saveReview(store, datasetId, result);
        QCOMPARE(store.findingCount(datasetId), static_cast<int64_t>(result.findings.size()));
        ft::saveReview(store, datasetId, result);  // replaces, not appends
        QCOMPARE(store.findingCount(datasetId), static_cast<int64_t>(result.findings.size()));
        const auto stored = store.findings(datasetId);
        QVERIFY(std::all_of(stored.begin(), stored.end(), [](const ft::Finding &f) {
            return f.detail.contains("message") && !f.severity.empty();
        }));
        QCOMPARE(ft::rowsWithFinding(store, datasetId, "exact_duplicate"), (std::vector<int64_t>{30}));
        QCOMPARE(ft::rowsWithFinding(store, datasetId, "pii:email"), (std::vector<int64_t>{31}));
        QVERIFY(ft::rowsWithFinding(store, datasetId, "pii:ipv4").empty());
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::rowsWithFinding(store, datasetId, "nonsense"));
        const auto report = ft::loadReviewReport(store, datasetId);
        QVERIFY(report.has_value());
        QVERIFY((*report)["score"]["value"] == result.report["score"]["value"]);
        QVERIFY(report->contains("reviewed_at"));
    }

    void countsAndBadOptions()
    {
        auto rows = cleanRows(30);
        rows.push_back(qa(1, "x", ""));
        const auto result = ft::reviewDataset(rows, {});
        int64_t total = 0;
        for (const auto &[kind, c] : result.report["counts"].items())
            total += c["findings"].get<int64_t>();
        QCOMPARE(total, static_cast<int64_t>(result.findings.size()));

        // No rows: every count is there, at zero.
        const auto none = ft::reviewDataset(std::vector<ReviewRow>{}, {});
        QVERIFY(none.findings.empty() && none.tokenCounts.empty());
        QCOMPARE(none.report["rows"].get<int64_t>(), int64_t(0));
        for (const auto &kind : ft::findingKinds())
            QCOMPARE(none.report["counts"][kind]["rows"].get<int64_t>(), int64_t(0));
        for (const char *section : {"empty_fields", "malformed_turns", "repeats_prompt", "encoding", "personal_data",
                                    "token_lengths", "near_duplicates", "diversity", "score"})
            QVERIFY2(none.report.contains(section), section);

        ft::ReviewOptions bad;
        bad.nearDuplicateThreshold = 1.5;
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::reviewDataset(rows, bad));
        bad = {};
        bad.bands = 7;  // does not divide 128
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::reviewDataset(rows, bad));
        bad = {};
        bad.cutoffLen = 0;
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::reviewDataset(rows, bad));

        std::atomic<bool> cancel{true};
        ft::ReviewOptions cancelled;
        cancelled.cancel = &cancel;
        try {
            ft::reviewDataset(rows, cancelled);
            QFAIL("not cancelled");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::Cancelled);
        }
    }
};

QTEST_APPLESS_MAIN(TestReviewChunks)
#include "tst_reviewchunks.moc"
