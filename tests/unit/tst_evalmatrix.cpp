// Evaluation results in the project and the matrix built from them: a v3 file migrates to v4
// keeping its runs; evaluations round-trip with their items; the matrix's differences are the
// seeded paired bootstrap of the stored per-item scores, the forgetting flag is set exactly when
// the overall benchmark interval lies below 0, perplexity is the token-weighted one, and the
// blind row is the Wilson interval / sign test of the votes on the run's adapter.

#include "data/projectschema.h"
#include "data/sqlitedb.h"
#include "ft/domainscore.h"
#include "ft/domaintest.h"
#include "ft/error.h"
#include "ft/evalmatrix.h"
#include "ft/evalreport.h"
#include "ft/evalresults.h"
#include "ft/evalstore.h"
#include "ft/project.h"
#include "ft/runstore.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace ft;

namespace {

const MatrixRow *findRow(const EvaluationMatrix &m, const std::string &name)
{
    for (const MatrixRow &r : m.rows)
        if (r.name == name)
            return &r;
    return nullptr;
}

// A benchmark evaluation whose items have the given correctness (category by item).
int64_t storeHandMadeBenchmark(ProjectStore &store, const std::vector<int> &base, const std::vector<int> &tuned,
                               const std::vector<std::string> &category, std::optional<int64_t> runId,
                               int firstQuestion = 0)
{
    EvaluationRecord record;
    record.kind = "benchmark";
    record.model = "m";
    record.runId = runId;
    record.adapter = "a";
    record.summary = {{"has_tuned", true}};
    std::vector<EvaluationItem> items;
    for (size_t i = 0; i < base.size(); ++i) {
        EvaluationItem it;
        it.subject = "subject_" + category[i];
        it.prompt = "q" + std::to_string(firstQuestion + i);
        it.reference = "A";
        it.baseOutput = base[i] ? "A" : "B";
        it.tunedOutput = tuned[i] ? "A" : "B";
        it.scores = {{"category", category[i]}, {"base_correct", base[i]}, {"tuned_correct", tuned[i]}};
        items.push_back(it);
    }
    return addEvaluation(store, record, items);
}

// A domain test of rows firstRow.. with the given outputs, stored on the run folder's adapter.
void storeDomainRows(ProjectStore &store, const std::string &folder, int firstRow,
                     const std::vector<std::string> &refs, const std::vector<std::string> &baseOut,
                     const std::vector<std::string> &tunedOut)
{
    DomainTestResult result;
    result.source = "d#test";
    result.hasTuned = true;
    std::vector<PredictionRow> scored;
    for (size_t i = 0; i < refs.size(); ++i) {
        DomainTestRow r;
        r.rowId = firstRow + int64_t(i);
        r.prompt = "p" + std::to_string(r.rowId);
        r.reference = refs[i];
        r.baseOutput = baseOut[i];
        r.tunedOutput = tunedOut[i];
        result.rows.push_back(r);
        scored.push_back({int64_t(i + 1), tunedOut[i], refs[i], true, baseOut[i]});
    }
    DomainScoreOptions options;
    options.metrics = {"em", "f1"};
    result.scores = scoreDomain(scored, options, result.source);
    storeDomainTest(store, result, "m", folder + "/final", {{"metrics", options.metrics}});
}

std::string scalar(ProjectStore &store, const char *sql)
{
    sql::Db db;
    db.borrow(static_cast<sqlite3 *>(store.nativeHandle()), store.path().string());
    sql::Stmt q(db, sql);
    return q.step() ? q.text(0) : std::string();
}

} // namespace

class TestEvalMatrix : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void migratesVersion3KeepingRuns()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("v3.ftproj").toStdString();
        {
            sql::Db db;
            db.open(file, false);
            QCOMPARE(migrateProject(db, 3), 0);
            db.exec("INSERT INTO runs(id, name, config, output_dir, status, created_at, updated_at) "
                    "VALUES (7, 'lora-1', '{}', '/runs/lora-1', 'finished', 't', 't')");
        }
        ProjectStore store(file, /*mustExist=*/true);
        QCOMPARE(store.schemaVersion(), 4);
        QCOMPARE(scalar(store, "SELECT version FROM schema_version"), std::string("4"));
        QCOMPARE(scalar(store, "SELECT count(*) FROM sqlite_master WHERE name IN "
                               "('evaluations', 'evaluation_items', 'evaluations_by_run')"),
                 std::string("3"));
        const auto run = findRun(store, 7);
        QVERIFY(run);
        QCOMPARE(run->folder, std::string("/runs/lora-1"));
        QVERIFY(runForAdapter(store, "/runs/lora-1/final/") == std::optional<int64_t>(7));
        QVERIFY(runForAdapter(store, "/runs/lora-1/checkpoint-4") == std::optional<int64_t>(7));
        QVERIFY(!runForAdapter(store, "/runs/other/final"));
        QVERIFY(!runForAdapter(store, "/runs/lora-10/final"));

        // Stored and read back with its items; removing the run keeps the evaluation.
        const int64_t id = storeHandMadeBenchmark(store, {1, 0}, {1, 1}, {"STEM", "STEM"}, 7);
        QCOMPARE(listEvaluations(store, 7).size(), size_t(1));
        QCOMPARE(listEvaluations(store, 8).size(), size_t(0));
        const auto items = evaluationItems(store, id);
        QCOMPARE(items.size(), size_t(2));
        QCOMPARE(items[1].prompt, std::string("q1"));
        QCOMPARE(items[1].baseOutput, std::string("B"));
        QCOMPARE(items[1].scores["tuned_correct"].get<int>(), 1);
        removeRun(store, 7);
        QVERIFY(findEvaluation(store, id));
        QVERIFY(!findEvaluation(store, id)->runId);
        removeEvaluation(store, id);
        QCOMPARE(scalar(store, "SELECT count(*) FROM evaluation_items"), std::string("0"));
        EvaluationRecord bad;
        bad.kind = "vibes";
        QVERIFY_THROWS_EXCEPTION(Error, addEvaluation(store, bad, {}));
    }

    void benchmarkDifferenceAndForgetting()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        RunRecord run;
        run.name = "r";
        run.folder = "/runs/r";
        const int64_t runId = addRun(store, run);
        // 60 questions: base right on 45; tuned right on 29 (it forgot STEM).
        std::vector<int> base, tuned;
        std::vector<std::string> category;
        for (int i = 0; i < 60; ++i) {
            category.push_back(i < 30 ? "STEM" : "humanities");
            base.push_back(i % 4 != 0);
            tuned.push_back(i < 30 ? (i % 5 == 0) : (i % 4 != 0));
        }
        storeHandMadeBenchmark(store, base, tuned, category, runId);
        BootstrapOptions options;
        options.seed = 11;
        options.resamples = 500;
        const EvaluationMatrix m = evaluationMatrix(store, runId, options);
        const MatrixRow *overall = findRow(m, "accuracy");
        QVERIFY(overall && overall->difference);
        std::vector<double> b(base.begin(), base.end()), t(tuned.begin(), tuned.end());
        const BootstrapResult expected = bootstrapMeanDifference(t, b, options);
        QCOMPARE(*overall->base, 45.0 / 60);
        QCOMPARE(*overall->tuned, 29.0 / 60);
        QCOMPARE(overall->difference->estimate, expected.estimate);
        QCOMPARE(overall->difference->interval.low, expected.interval.low);
        QCOMPARE(overall->difference->interval.high, expected.interval.high);
        QVERIFY(expected.interval.high < 0);
        QVERIFY(m.forgetting);
        QVERIFY(m.warning.find("forgetting") != std::string::npos);
        const MatrixRow *stem = findRow(m, "accuracy: STEM");
        const MatrixRow *humanities = findRow(m, "accuracy: humanities");
        QVERIFY(stem && humanities);
        QCOMPARE(stem->items, int64_t(30));
        QVERIFY(humanities->difference->interval.low <= 0);
        QCOMPARE(humanities->difference->estimate, 0.0);

        // A newer evaluation where the tuned model is as good: the matrix uses it, no warning.
        storeHandMadeBenchmark(store, base, base, category, runId);
        const EvaluationMatrix same = evaluationMatrix(store, runId, options);
        QVERIFY(!same.forgetting);
        QCOMPARE(findRow(same, "accuracy")->difference->estimate, 0.0);
        // Another run has nothing.
        QVERIFY(evaluationMatrix(store, runId + 1, options).rows.empty());
    }

    void domainPerplexityAndBlindRows()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        RunRecord run;
        run.name = "r";
        run.folder = "/runs/r";
        const int64_t runId = addRun(store, run);
        DomainTestResult result;
        result.source = "d#validation";
        result.hasTuned = true;
        const char *refs[] = {"the cat sat", "a dog ran", "birds fly", "fish swim"};
        const char *tunedOut[] = {"the cat sat", "a dog ran far", "birds", "fish swim"};
        const char *baseOut[] = {"a cat", "the dog", "birds fly", "nothing"};
        std::vector<PredictionRow> scored;
        for (int i = 0; i < 4; ++i) {
            DomainTestRow r;
            r.rowId = i + 1;
            r.prompt = "p";
            r.reference = refs[i];
            r.baseOutput = baseOut[i];
            r.tunedOutput = tunedOut[i];
            r.baseNll = 2.0 + i;
            r.tunedNll = 1.0 + 0.5 * i;
            r.answerTokens = 2 + i;
            result.rows.push_back(r);
            PredictionRow p;
            p.line = i + 1;
            p.reference = refs[i];
            p.prediction = tunedOut[i];
            p.hasBase = true;
            p.basePrediction = baseOut[i];
            scored.push_back(p);
        }
        DomainScoreOptions scoreOptions;
        scoreOptions.metrics = {"em", "f1"};
        result.scores = scoreDomain(scored, scoreOptions, result.source);
        result.perplexity = {{"tokens", 14}};
        storeDomainTest(store, result, "m", "/runs/r/final", nlohmann::json::object());

        // Votes: two on this run's adapter (tuned, tie), one on another model (left out).
        {
            sql::Db db;
            db.borrow(static_cast<sqlite3 *>(store.nativeHandle()), store.path().string());
            db.exec("INSERT INTO comparisons(id, prompt, config) VALUES "
                    "(1, 'p', '{\"tuned\": \"/runs/r/final\"}'), (2, 'p', '{\"tuned\": \"/runs/r/final\"}'), "
                    "(3, 'p', '{\"tuned\": \"/elsewhere\"}');"
                    "INSERT INTO ratings(comparison_id, candidate) VALUES (1, 'tuned'), (2, 'tie'), (3, 'base');");
        }
        const EvaluationMatrix m = evaluationMatrix(store, runId);
        const MatrixRow *em = findRow(m, "em");
        QVERIFY(em && em->difference && em->signTestP);
        QCOMPARE(*em->tuned, result.scores["metrics"]["em"]["mean"].get<double>());
        QCOMPARE(*em->base, result.scores["metrics"]["em"]["base_mean"].get<double>());
        QCOMPARE(em->difference->interval.low, result.scores["metrics"]["em"]["difference"]["low"].get<double>());
        const MatrixRow *ppl = findRow(m, "perplexity of the references");
        QVERIFY(ppl && !ppl->higherIsBetter);
        QVERIFY(std::abs(*ppl->base - std::exp((2.0 + 3 + 4 + 5) / 14)) < 1e-12);
        QVERIFY(std::abs(*ppl->tuned - std::exp((1.0 + 1.5 + 2 + 2.5) / 14)) < 1e-12);
        QVERIFY(ppl->difference->estimate < 0);
        const MatrixRow *blind = findRow(m, "win rate (blind votes)");
        QVERIFY(blind);
        QCOMPARE(blind->items, int64_t(2));
        const WinRate w = winRate(1, 0, 1);
        QCOMPARE(*blind->tuned, w.rate);
        QCOMPARE(blind->difference->interval.low, w.interval.low);
        QCOMPARE(*blind->signTestP, w.signTestP);
        QVERIFY(!m.forgetting);
        const nlohmann::json j = matrixJson(m);
        QCOMPARE(j["rows"].size(), m.rows.size());
        QCOMPARE(j["domain_evaluation"].get<int64_t>(), *m.domainEvaluation);
    }
    void severalRunsSideBySidePairOnCommonItems()
    {
        QTemporaryDir dir;
        ProjectStore store(dir.filePath("p.ftproj").toStdString());
        RunRecord a, b;
        a.name = "lora-a";
        a.folder = "/runs/a";
        b.name = "lora-b";
        b.folder = "/runs/b";
        const int64_t runA = addRun(store, a), runB = addRun(store, b);
        // Run A: questions 0..39; run B: questions 10..49. Common: 10..39 (30 questions).
        std::vector<int> baseA, tunedA, baseB, tunedB;
        std::vector<std::string> category(40, "STEM");
        for (int q = 0; q < 40; ++q) {
            baseA.push_back(q % 3 != 0);
            tunedA.push_back(q % 3 != 0 || q % 2 == 0);
            baseB.push_back((q + 10) % 3 != 0);      // the same base answers on the same question
            tunedB.push_back((q + 10) % 5 == 0);     // run B forgot
        }
        storeHandMadeBenchmark(store, baseA, tunedA, category, runA, 0);
        storeHandMadeBenchmark(store, baseB, tunedB, category, runB, 10);
        // Domain rows: run A rows 1..4, run B rows 2..5. Common: 2..4.
        storeDomainRows(store, b.folder, 2, {"b c", "c d", "d e", "e f"}, {"b", "x", "d e", "e"},
                        {"b c", "c", "d", "e f"});
        storeDomainRows(store, a.folder, 1, {"a b", "b c", "c d", "d e"}, {"a", "b", "x", "d e"},
                        {"a b", "b c", "c d", "d"});
        BootstrapOptions options;
        options.seed = 5;
        options.resamples = 400;
        const EvaluationMatrix m = evaluationMatrix(store, std::vector<int64_t>{runA, runB}, options);
        QCOMPARE(m.runs.size(), size_t(2));
        QCOMPARE(m.runs[0].name, std::string("lora-a"));
        QCOMPARE(m.runs[1].name, std::string("lora-b"));
        QVERIFY(m.pairing.find("30 questions common") != std::string::npos);
        QVERIFY(m.pairing.find("3 rows common") != std::string::npos);

        // Benchmark: each run's difference is the bootstrap over the 30 common questions.
        std::vector<double> commonBase, commonA, commonB;
        for (int q = 10; q < 40; ++q) {
            commonBase.push_back(baseA[q]);
            commonA.push_back(tunedA[q]);
            commonB.push_back(tunedB[q - 10]);
        }
        const MatrixRow *overall = findRow(m, "accuracy");
        QVERIFY(overall && overall->runs.size() == 2 && overall->runs[0] && overall->runs[1]);
        double baseMean = 0;
        for (double v : commonBase)
            baseMean += v / commonBase.size();
        QVERIFY(std::abs(*overall->base - baseMean) < 1e-12);
        const BootstrapResult expectA = bootstrapMeanDifference(commonA, commonBase, options);
        const BootstrapResult expectB = bootstrapMeanDifference(commonB, commonBase, options);
        QCOMPARE(overall->runs[0]->items, int64_t(30));
        QCOMPARE(overall->runs[0]->difference->estimate, expectA.estimate);
        QCOMPARE(overall->runs[0]->difference->interval.low, expectA.interval.low);
        QCOMPARE(overall->runs[1]->difference->interval.high, expectB.interval.high);
        QCOMPARE(overall->difference->estimate, expectA.estimate);  // the first run's, for one-run callers
        // Forgetting per run: B forgot, A did not.
        QVERIFY(expectB.interval.high < 0 && expectA.interval.low > -0.5);
        QVERIFY(!m.runs[0].forgetting);
        QVERIFY(m.runs[1].forgetting);
        QVERIFY(m.forgetting);
        QVERIFY(m.warning.rfind("lora-b: forgetting", 0) == 0);

        // Domain: rescored on rows 2..4 from the stored outputs.
        const MatrixRow *em = findRow(m, "em");
        QVERIFY(em && em->runs[0] && em->runs[1]);
        DomainScoreOptions scoreOptions;
        scoreOptions.metrics = {"em", "f1"};
        scoreOptions.bootstrap = options;
        const nlohmann::json expectDomainA =
            scoreDomain({{1, "b c", "b c", true, "b"}, {2, "c d", "c d", true, "x"}, {3, "d", "d e", true, "d e"}},
                        scoreOptions, "a");
        const nlohmann::json expectDomainB =
            scoreDomain({{1, "b c", "b c", true, "b"}, {2, "c", "c d", true, "x"}, {3, "d", "d e", true, "d e"}},
                        scoreOptions, "b");
        QCOMPARE(em->runs[0]->items, int64_t(3));
        QCOMPARE(*em->runs[0]->tuned, expectDomainA["metrics"]["em"]["mean"].get<double>());
        QCOMPARE(*em->runs[1]->tuned, expectDomainB["metrics"]["em"]["mean"].get<double>());
        QCOMPARE(*em->base, expectDomainA["metrics"]["em"]["base_mean"].get<double>());
        const MatrixRow *f1 = findRow(m, "f1");
        QCOMPARE(f1->runs[1]->difference->interval.low,
                 expectDomainB["metrics"]["f1"]["difference"]["low"].get<double>());

        const nlohmann::json j = matrixJson(m);
        QCOMPARE(j["runs"].size(), size_t(2));
        QCOMPARE(j["runs"][1]["name"].get<std::string>(), std::string("lora-b"));
        QCOMPARE(j["rows"][0]["runs"].size(), size_t(2));
        QVERIFY(j["runs"][1]["forgetting"].get<bool>());

        // One run alone keeps all its items and the stored scores; no pairing note.
        const EvaluationMatrix alone = evaluationMatrix(store, runB, options);
        QVERIFY(alone.pairing.empty());
        QCOMPARE(findRow(alone, "accuracy")->items, int64_t(40));
        QCOMPARE(findRow(alone, "em")->items, int64_t(4));

        // The report shows both runs' columns and the pairing note.
        const std::string html = evaluationReportHtml(store, std::vector<int64_t>{runA, runB});
        QVERIFY(html.find("lora-a − base") != std::string::npos);
        QVERIFY(html.find("lora-b − base") != std::string::npos);
        QVERIFY(html.find("common to all") != std::string::npos);
        QVERIFY(html.find("The run lora-b") != std::string::npos);
        QVERIFY(html.find("Metric deltas") != std::string::npos);
        QVERIFY(html.find("aria-label=\"metric deltas\"") != std::string::npos);
        QVERIFY(deltaPointsScale(*overall) == 100.0);
        MatrixRow other;
        other.part = "perplexity";
        QVERIFY(!deltaPointsScale(other));  // no common unit with the others
        other.part = "domain";
        other.name = "bleu";
        QVERIFY(deltaPointsScale(other) == 1.0);
    }
};

QTEST_GUILESS_MAIN(TestEvalMatrix)
#include "tst_evalmatrix.moc"
