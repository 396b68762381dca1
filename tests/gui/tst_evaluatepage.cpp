// The Evaluate page on a tiny model and a tiny LoRA run of a project: a benchmark subset (MMLU
// fixtures, 2 questions per subject, 0-shot) and a domain test on the project's validation split
// run in the background and fill the matrix, the chart and the changed rows; the results come back
// on a new page (from the project); the report is written; cancel stores nothing.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "evaluatepage.h"
#include "evaluationmatrixview.h"
#include "projectruns.h"
#include "studiosession.h"

#include <ft/evalstore.h>
#include <ft/model.h>
#include <ft/project.h>
#include <ft/runstore.h>
#include <ft/trainer.h>

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <memory>

using namespace ftui;

class TestEvaluatePage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void benchmarkAndDomainFillTheMatrix();
    void twoRunsSideBySide();
    void cancelStoresNothing();

private:
    size_t evaluationCount() const
    {
        ft::ProjectStore store(m_project.toStdString(), true);
        return ft::listEvaluations(store).size();
    }
    QString rowNamed(const EvaluationMatrixView *view, const QString &name) const
    {
        for (int r = 0; r < view->matrixRowCount(); ++r)
            if (view->cellText(r, 1) == name)
                return view->cellText(r, 3);
        return {};
    }

    QTemporaryDir m_dir;
    QString m_model;
    QString m_project;
    QString m_mmlu;
    int64_t m_runId = 0;
    ft::TrainingConfig m_config;
    std::shared_ptr<ft::Model> m_loaded;
};

void TestEvaluatePage::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    FT_REQUIRE_FIXTURE(mmlu, "eval/mmlu");
    m_mmlu = mmlu;
    m_model = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::writeTinyLlama(m_model.toStdString());
    m_project = m_dir.filePath(QStringLiteral("p.ftproj"));

    nlohmann::json rows;
    std::ifstream(alpaca.toStdString()) >> rows;
    {
        ft::ProjectStore store(m_project.toStdString());
        ft::NewDataset info;
        info.name = "demo";
        info.sourcePath = "alpaca_en_demo.json";
        info.format = "alpaca";
        info.contentHash = "h";
        auto writer = store.beginDataset(info);
        for (size_t i = 0; i < 12; ++i) {
            ft::NewRow row;
            row.original = rows[i];
            const std::string input = rows[i]["input"];
            row.messages = {{"user", rows[i]["instruction"].get<std::string>() + (input.empty() ? "" : "\n\n" + input)},
                            {"assistant", rows[i]["output"].get<std::string>()}};
            writer->addRow(row);
        }
        const ft::DatasetInfo d = writer->commit();
        ft::SplitOptions split;
        split.validation = 0.25;
        store.assignSplits(d.id, split);
    }

    // The tuned run: 2 LoRA steps on the train split with a large learning rate.
    ft::TrainingConfig config;
    config.model = m_model.toStdString();
    config.data = m_project.toStdString() + "#demo";
    config.dataSplit = "train";
    config.outputDir = m_dir.filePath(QStringLiteral("run")).toStdString();
    config.strategy = "lora";
    config.learningRate = 5e-2;
    config.maxSteps = 2;
    config.perDeviceTrainBatchSize = 2;
    config.cutoffLen = 1024;
    config.saveSteps = 0;
    m_config = config;
    try {
        ft::Trainer trainer(config);
        QCOMPARE(trainer.run().steps, int64_t(2));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    ft::ProjectStore store(m_project.toStdString(), true);
    ft::RunRecord run;
    run.name = "lora-run";
    run.status = ft::RunStatus::Finished;
    run.folder = config.outputDir;
    run.baseModel = config.model;
    run.dataset = config.data;
    run.config = {{"strategy", "lora"}};
    m_runId = ft::addRun(store, run);
    m_loaded = std::shared_ptr<ft::Model>(ft::Model::open(m_model.toStdString()).release());
}

void TestEvaluatePage::benchmarkAndDomainFillTheMatrix()
{
    StudioSession session;
    session.setProjectPath(m_project);
    session.setModel(m_loaded, m_model);
    EvaluatePage page(&session);
    QCOMPARE(page.runCount(), 1);
    QVERIFY(page.chooseRun(m_runId));

    QSignalSpy done(&page, &EvaluatePage::evaluationFinished);
    QSignalSpy failed(&page, &EvaluatePage::evaluationFailed);
    page.setBenchmarkPath(m_mmlu);
    page.setShots(0);
    page.setLimitPerSubject(2);
    QVERIFY(page.runBenchmark());
    QVERIFY(!page.runDomainTest());  // one job at a time
    QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(page.statusText()));
    const EvaluationMatrixView *view = page.matrixView();
    QVERIFY(!rowNamed(view, QStringLiteral("accuracy")).isEmpty());
    QVERIFY(view->chartCategoryCount() > 0);
    QVERIFY(view->deltaChartRowCount() > 0);  // overall and per-category accuracy deltas
    QVERIFY(view->changedRowCount() > 0);

    QVERIFY(page.chooseDataset(QStringLiteral("demo")));
    page.setDomainRowLimit(2);
    page.setMaxNewTokens(4);
    QVERIFY(page.runDomainTest());
    QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 2, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(page.statusText()));
    QVERIFY(!rowNamed(view, QStringLiteral("rouge_l")).isEmpty());
    QVERIFY(!rowNamed(view, QStringLiteral("perplexity of the references")).isEmpty());
    const int rows = view->matrixRowCount();
    QCOMPARE(evaluationCount(), size_t(2));

    // A new page (as after a restart) reads the same matrix back from the project.
    EvaluatePage again(&session);
    QVERIFY(again.chooseRun(m_runId));
    QCOMPARE(again.matrixView()->matrixRowCount(), rows);
    QCOMPARE(again.matrixView()->cellText(0, 2), view->cellText(0, 2));

    const QString html = m_dir.filePath(QStringLiteral("report.html"));
    QString error;
    QVERIFY2(page.saveReport(html, &error), qPrintable(error));
    QFile file(html);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("Evaluation matrix"));
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("lora-run"));
    const QString pdf = m_dir.filePath(QStringLiteral("report.pdf"));
    QVERIFY2(page.saveReport(pdf, &error), qPrintable(error));
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    const QByteArray pdfBytes = pdfFile.readAll();
    QVERIFY(pdfBytes.startsWith("%PDF"));
    QVERIFY(pdfBytes.count("/Subtype /Image") >= 2);  // the charts, rendered (Qt writes one XObject each)
}

// A second run, benchmarked on fewer questions, shown beside the first: one column per run for
// the tuned values and the differences, the note that only the common questions were paired,
// and both runs in the report.
void TestEvaluatePage::twoRunsSideBySide()
{
    ft::TrainingConfig config = m_config;
    config.outputDir = m_dir.filePath(QStringLiteral("run2")).toStdString();
    config.learningRate = 1e-1;
    try {
        ft::Trainer trainer(config);
        QCOMPARE(trainer.run().steps, int64_t(2));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    int64_t second = 0;
    {
        ft::ProjectStore store(m_project.toStdString(), true);
        ft::RunRecord run;
        run.name = "lora-run-2";
        run.status = ft::RunStatus::Finished;
        run.folder = config.outputDir;
        run.baseModel = config.model;
        run.dataset = config.data;
        second = ft::addRun(store, run);
    }
    StudioSession session;
    session.setProjectPath(m_project);
    session.setModel(m_loaded, m_model);
    EvaluatePage page(&session);
    QCOMPARE(page.runCount(), 2);
    QVERIFY(page.chooseRun(second));
    QSignalSpy done(&page, &EvaluatePage::evaluationFinished);
    QSignalSpy failed(&page, &EvaluatePage::evaluationFailed);
    page.setBenchmarkPath(m_mmlu);
    page.setShots(0);
    page.setLimitPerSubject(1);  // the first run answered 2 per subject
    QVERIFY(page.runBenchmark());
    QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() == 1, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(page.statusText()));

    const EvaluationMatrixView *view = page.matrixView();
    QCOMPARE(view->matrixColumnCount(), 6);  // one run: Part Metric Base Tuned Difference n
    QVERIFY(!page.setComparedRuns({second}));  // the chosen run is not offered again
    QVERIFY(page.setComparedRuns({m_runId}));
    QCOMPARE(page.shownRuns(), (std::vector<int64_t>{second, m_runId}));
    QCOMPARE(view->matrixColumnCount(), 8);
    QCOMPARE(view->headerText(3), QStringLiteral("lora-run-2"));
    QCOMPARE(view->headerText(4), QStringLiteral("lora-run"));
    QVERIFY(view->headerText(6).startsWith(QStringLiteral("lora-run − base")));
    QVERIFY(view->pairingNote().contains(QStringLiteral("common")));
    // Metric deltas: the benchmark rows and the first run's domain metrics (not perplexity).
    int deltaRows = 0;
    for (int r = 0; r < view->matrixRowCount(); ++r)
        deltaRows += view->cellText(r, 0) != QStringLiteral("perplexity") &&
                     (view->cellText(r, 5) != QStringLiteral("—") || view->cellText(r, 6) != QStringLiteral("—"));
    QCOMPARE(view->deltaChartRowCount(), deltaRows);
    QVERIFY(!rowNamed(view, QStringLiteral("accuracy")).isEmpty());
    // The domain test only the first run had: its cells, the second run's are empty.
    for (int r = 0; r < view->matrixRowCount(); ++r)
        if (view->cellText(r, 1) == QStringLiteral("rouge_l")) {
            QCOMPARE(view->cellText(r, 3), QStringLiteral("—"));
            QVERIFY(view->cellText(r, 4) != QStringLiteral("—"));
        }

    const QString html = m_dir.filePath(QStringLiteral("two.html"));
    QString error;
    QVERIFY2(page.saveReport(html, &error), qPrintable(error));
    QFile file(html);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.contains(QStringLiteral("lora-run-2 − base")));
    QVERIFY(text.contains(QStringLiteral("The run lora-run<")));
    QVERIFY(text.contains(QStringLiteral("common to all")));
    QVERIFY(page.setComparedRuns({}));
    QCOMPARE(view->matrixColumnCount(), 6);
}

void TestEvaluatePage::cancelStoresNothing()
{
    StudioSession session;
    session.setProjectPath(m_project);
    session.setModel(m_loaded, m_model);
    EvaluatePage page(&session);
    const size_t before = evaluationCount();
    QSignalSpy cancelled(&page, &EvaluatePage::evaluationCancelled);
    page.setBenchmarkPath(m_mmlu);
    page.setLimitPerSubject(0);  // every question: long enough to cancel
    QVERIFY(page.runBenchmark());
    page.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.count() == 1, 60000);
    QVERIFY(!page.isRunning());
    QCOMPARE(evaluationCount(), before);
}

QTEST_MAIN(TestEvaluatePage)
#include "tst_evaluatepage.moc"
