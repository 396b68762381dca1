// The Train page's "processes" setting: a data-parallel run of several local finetune-cli
// processes that the studio starts through PyTorch's torchrun (the venv's, found above the build
// folder). The setting defaults to 1 and is off, saying why, without torchrun; 2 processes train
// to the end with rank 0's metrics on the chart; Stop stops every rank (a checkpoint); a rank's
// error reaches the page, with bad input named.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"
#include "trainpagetesting.h"

#include "mainwindow.h"
#include "runhistory.h"
#include "studiosession.h"
#include "torchrunlauncher.h"
#include "trainingcharts.h"
#include "traininglog.h"
#include "trainpage.h"

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using ftui::MainWindow;
using ftui::TrainPage;

namespace {

constexpr int kTimeoutMs = 240000;  // two processes load the model and train on a busy machine

} // namespace

class TestTrainProcesses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void processesDefaultToOneUpToTheMachine();
    void withoutTorchrunTheSettingIsOffAndSaysWhy();
    void twoProcessesTrainWithRankZerosCurve();
    void stopStopsEveryRank();
    void aRanksErrorIsShown();

private:
    std::unique_ptr<MainWindow> openWindow();
    void fill(TrainPage *page, const QString &data, int maxSteps);
    QString whyNotTwoProcesses() const;

    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
};

void TestTrainProcesses::initTestCase()
{
    fttest::useTestSettings("tst_trainprocesses");
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    m_data = m_dir.filePath(QStringLiteral("alpaca32.json"));
    fttest::writeFirstRows(alpaca, 32, m_data);
    m_model = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::writeTinyLlama(m_model.toStdString(), fttest::TinyLlamaShape());
}

// A window with the test's model loaded (null if it did not load).
std::unique_ptr<MainWindow> TestTrainProcesses::openWindow()
{
    return fttest::openTrainWindow(m_model, m_dir.filePath(QStringLiteral("runs")), 30000);
}

void TestTrainProcesses::fill(TrainPage *page, const QString &data, int maxSteps)
{
    fttest::TrainForm form;
    form.data = data;
    form.maxSteps = maxSteps;
    form.cutoffLen = 96;
    form.batchSize = 2;
    form.gradientAccumulation = 1;
    form.loggingSteps = 1;
    form.processes = 2;
    fttest::fillTrainForm(page, form);
}

// Why two processes cannot train here, or empty when they can.
QString TestTrainProcesses::whyNotTwoProcesses() const
{
    const ftui::TorchrunCommand command = ftui::findTorchrun();
    return !command.found()                ? command.missing
           : ftui::maxLocalProcesses() < 2 ? QStringLiteral("one core, no GPU")
           : m_model.isEmpty()             ? QStringLiteral("no fixtures")
                                           : QString();
}

void TestTrainProcesses::processesDefaultToOneUpToTheMachine()
{
    MainWindow window;
    auto *processes = window.trainPage()->findChild<QSpinBox *>(QStringLiteral("processes"));
    QVERIFY(processes);
    QCOMPARE(processes->value(), 1);
    QCOMPARE(processes->minimum(), 1);
    QCOMPARE(processes->maximum(), ftui::maxLocalProcesses());
    QCOMPARE(processes->isEnabled(), ftui::findTorchrun().found() && ftui::maxLocalProcesses() > 1);
}

void TestTrainProcesses::withoutTorchrunTheSettingIsOffAndSaysWhy()
{
    qputenv("FT_TORCHRUN", m_dir.filePath(QStringLiteral("no-such-torchrun")).toUtf8());
    MainWindow window;
    qunsetenv("FT_TORCHRUN");
    auto *processes = window.trainPage()->findChild<QSpinBox *>(QStringLiteral("processes"));
    QVERIFY(processes);
    QVERIFY(!processes->isEnabled());
    QVERIFY2(processes->toolTip().contains(QStringLiteral("torchrun")), qPrintable(processes->toolTip()));
}

void TestTrainProcesses::twoProcessesTrainWithRankZerosCurve()
{
    if (const QString why = whyNotTwoProcesses(); !why.isEmpty())
        QSKIP(qPrintable(why));
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    fill(page, m_data, 4);
    QSignalSpy errors(page, &TrainPage::errorOccurred);
    QSignalSpy finished(page, &TrainPage::trainingFinished);
    page->start();
    QCOMPARE(page->state(), TrainPage::State::Running);
    QVERIFY(!page->findChild<QPushButton *>(QStringLiteral("pauseButton"))->isEnabled());  // no pause
    QVERIFY(page->findChild<QPushButton *>(QStringLiteral("stopButton"))->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    const auto outcome = finished.first().first().value<ftui::TrainingOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QVERIFY(errors.isEmpty());
    QVERIFY(!outcome.stopped);
    QVERIFY(QFile::exists(outcome.finalDir + QStringLiteral("/adapter_model.safetensors")));
    QCOMPARE(outcome.steps, qint64(4));
    QCOMPARE(page->charts()->lossGraphPoints(0), 4);  // rank 0's metrics, one line per step
    const QString log = page->findChild<ftui::TrainingLog *>()->toPlainText();
    QVERIFY2(log.contains(QStringLiteral("data parallel: rank 0 of 2")), qPrintable(log.right(2000)));
    QCOMPARE(page->history()->count(), 1);  // the page's record only (not a second one by the CLI)
    QVERIFY2(page->history()->runText(0).contains(QStringLiteral("finished")),
             qPrintable(page->history()->runText(0)));
}

void TestTrainProcesses::stopStopsEveryRank()
{
    if (const QString why = whyNotTwoProcesses(); !why.isEmpty())
        QSKIP(qPrintable(why));
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    fill(page, m_data, 500);
    QSignalSpy finished(page, &TrainPage::trainingFinished);
    page->start();
    QTRY_VERIFY_WITH_TIMEOUT(page->charts()->lossGraphPoints(0) > 0, kTimeoutMs);
    page->stop();
    QCOMPARE(page->state(), TrainPage::State::Stopping);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    const auto outcome = finished.first().first().value<ftui::TrainingOutcome>();
    // The ranks' output with the error: a stop that fails once under load must say why.
    QVERIFY2(outcome.error.isEmpty(),
             qPrintable(outcome.error + QStringLiteral("\n") +
                        page->findChild<ftui::TrainingLog *>()->toPlainText().right(4000)));
    QVERIFY(outcome.stopped);
    QVERIFY(outcome.steps > 0 && outcome.steps < 500);
    const QString checkpoint = QDir(page->currentRunDir()).filePath(QStringLiteral("checkpoint-%1").arg(outcome.steps));
    QVERIFY2(QFile::exists(checkpoint + QStringLiteral("/trainer_state.json")), qPrintable(checkpoint));
    QVERIFY(QFile::exists(checkpoint + QStringLiteral("/rng_state_rank1.pt")));  // both ranks stopped there
    QVERIFY2(page->history()->runText(0).contains(QStringLiteral("stopped")),
             qPrintable(page->history()->runText(0)));
}

void TestTrainProcesses::aRanksErrorIsShown()
{
    if (const QString why = whyNotTwoProcesses(); !why.isEmpty())
        QSKIP(qPrintable(why));
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    // Bad input: every rank names the file, exit 2.
    const QString missing = m_dir.filePath(QStringLiteral("no-such-data.json"));
    fill(page, missing, 4);
    fttest::expectMissingDataReported(page, missing, kTimeoutMs);
    if (QTest::currentTestFailed())
        return;

    // Rank 1 dies before step 2: rank 0 says so, and the page shows it.
    QSignalSpy errors(page, &TrainPage::errorOccurred);
    QSignalSpy finished(page, &TrainPage::trainingFinished);
    qputenv("FT_TEST_RANK_EXIT", "1:1");
    qputenv("FT_DIST_TIMEOUT_S", "20");
    fill(page, m_data, 50);
    page->start();
    qunsetenv("FT_TEST_RANK_EXIT");
    qunsetenv("FT_DIST_TIMEOUT_S");
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    const auto outcome = finished.last().first().value<ftui::TrainingOutcome>();
    QVERIFY(!outcome.error.isEmpty());
    QCOMPARE(errors.count(), 1);
    QVERIFY2(outcome.error.contains(QStringLiteral("rank")) || outcome.error.contains(QStringLiteral("torchrun")),
             qPrintable(outcome.error));
    QCOMPARE(page->state(), TrainPage::State::Idle);
    QVERIFY(page->history()->runText(0).contains(QStringLiteral("failed")));
}

QTEST_MAIN(TestTrainProcesses)
#include "tst_trainprocesses.moc"
