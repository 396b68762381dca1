// The Train page on the real engine: a tiny Llama written by the test, Alpaca rows from the
// fixtures. Start through the widgets, points arrive on the chart, pause holds them, resume
// brings them back, stop writes a checkpoint, the run is in the history; bad input is reported,
// not crashed on; the memory estimate is shown for the loaded model.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"
#include "trainpagetesting.h"

#include "mainwindow.h"
#include "memoryestimatecard.h"
#include "modelpage.h"
#include "runhistory.h"
#include "studiosession.h"
#include "trainingcharts.h"
#include "trainpage.h"

#include <QDoubleSpinBox>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QApplication>
#include <QTimer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using ftui::MainWindow;
using ftui::TrainPage;

namespace {

constexpr int kTimeoutMs = 30000;

using fttest::child;

int chartPoints(TrainPage *page)
{
    return page->charts()->lossGraphPoints(0);
}

} // namespace

class TestTrainPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void trainsPausesResumesAndStops();
    void reportsBadInputWithoutCrashing();
    void drawsTheEvalLoss();
    void showsTheMemoryEstimate();
    void closingWhileTrainingStopsThenCloses();
    void destroyingTheWindowWhileTrainingJoinsTheWorker();

private:
    std::unique_ptr<MainWindow> openWindow();
    void fill(TrainPage *page, const QString &data);

    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
};

void TestTrainPage::initTestCase()
{
    fttest::useTestSettings("tst_trainpage");
    // The trainer's usual nice +10 would let a busy test machine starve it: the workflow is what
    // is tested here, scheduling is measured by bench/gui_responsiveness.cpp.
    qputenv("FT_TRAINER_NICE", "0");
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    // 48 rows keep the data loading short; the model is small but not trivial, so that a step
    // takes long enough for pause to land mid-run.
    m_data = m_dir.filePath(QStringLiteral("alpaca48.json"));
    fttest::writeFirstRows(alpaca, 48, m_data);
    m_model = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::TinyLlamaShape shape;
    shape.hidden = 128;
    shape.intermediate = 344;
    shape.layers = 2;
    fttest::writeTinyLlama(m_model.toStdString(), shape);
}

void TestTrainPage::init()
{
    if (m_model.isEmpty())
        QSKIP("no fixtures");  // in init(): the test function is skipped
}

// A window with the test's model loaded (null if it did not load).
std::unique_ptr<MainWindow> TestTrainPage::openWindow()
{
    return fttest::openTrainWindow(m_model, m_dir.filePath(QStringLiteral("runs")), kTimeoutMs);
}

void TestTrainPage::fill(TrainPage *page, const QString &data)
{
    fttest::TrainForm form;  // 20 steps of 4 x 2 rows, 192 tokens each
    form.data = data;
    fttest::fillTrainForm(page, form);
}

void TestTrainPage::trainsPausesResumesAndStops()
{
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    window->showPage(MainWindow::Page::Train);
    window->show();

    auto *start = child<QPushButton>(page, "startButton");
    auto *pause = child<QPushButton>(page, "pauseButton");
    auto *resume = child<QPushButton>(page, "resumeButton");
    auto *stop = child<QPushButton>(page, "stopButton");
    QVERIFY(start && pause && resume && stop);
    QVERIFY(!start->isEnabled());  // no data yet
    fill(page, m_data);
    QVERIFY(start->isEnabled());
    QVERIFY(!pause->isEnabled() && !resume->isEnabled() && !stop->isEnabled());

    QSignalSpy errors(page, &TrainPage::errorOccurred);
    QSignalSpy finished(page, &TrainPage::trainingFinished);
    QTest::mouseClick(start, Qt::LeftButton);
    QCOMPARE(page->state(), TrainPage::State::Running);
    QVERIFY(!start->isEnabled() && pause->isEnabled() && !resume->isEnabled() && stop->isEnabled());
    QVERIFY(!child<QSpinBox>(page, "batchSize")->isEnabled());  // settings locked while running

    QTRY_VERIFY_WITH_TIMEOUT(chartPoints(page) > 0, kTimeoutMs);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
    QSignalSpy held(page, &TrainPage::pausedAtStep);
    QTest::mouseClick(pause, Qt::LeftButton);
    QCOMPARE(page->state(), TrainPage::State::Paused);
    QVERIFY(!pause->isEnabled() && resume->isEnabled() && stop->isEnabled());

    // The step running when pause was pressed still lands; then the trainer holds and nothing
    // more comes.
    QTRY_COMPARE_WITH_TIMEOUT(held.count(), 1, kTimeoutMs);
    const int settled = chartPoints(page);
    QCOMPARE(qint64(settled), held.first().first().toLongLong());
    QTest::qWait(1500);
    QCOMPARE(chartPoints(page), settled);
    QVERIFY2(settled < 20, "the run ended before pause took hold; make the steps slower");
    qInfo("paused at step %d", settled);

    QTest::mouseClick(resume, Qt::LeftButton);
    QCOMPARE(page->state(), TrainPage::State::Running);
    QTRY_VERIFY_WITH_TIMEOUT(chartPoints(page) > settled, kTimeoutMs);

    QTest::mouseClick(stop, Qt::LeftButton);
    QVERIFY(!start->isEnabled() && !pause->isEnabled() && !stop->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    const auto outcome = finished.first().first().value<ftui::TrainingOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(page->state(), TrainPage::State::Idle);
    QVERIFY(start->isEnabled());

    const QString runDir = page->currentRunDir();
    const QString checkpoint =
        QDir(runDir).filePath(QStringLiteral("checkpoint-%1").arg(outcome.steps));
    if (outcome.stopped) {
        QVERIFY2(QFile::exists(checkpoint + QStringLiteral("/adapter_model.safetensors")),
                 qPrintable(checkpoint));
        QVERIFY(QFile::exists(checkpoint + QStringLiteral("/trainer_state.json")));
    } else {
        // The last steps can outrun the click; then the run finished instead.
        QVERIFY(QFile::exists(runDir + QStringLiteral("/final/adapter_model.safetensors")));
    }
    QCOMPARE(chartPoints(page), int(outcome.steps));

    ftui::RunHistory *history = page->history();
    QCOMPARE(history->count(), 1);
    QCOMPARE(history->runDir(0), runDir);
    QVERIFY2(history->runText(0).contains(outcome.stopped ? QStringLiteral("stopped")
                                                          : QStringLiteral("finished")),
             qPrintable(history->runText(0)));

    // The run's metrics.jsonl as an overlay, and the CSV export of what the chart holds.
    const int graphs = page->charts()->lossGraphCount();
    history->setOverlay(0, true);
    QCOMPARE(page->charts()->lossGraphCount(), graphs + 1);
    QCOMPARE(page->charts()->lossGraphPoints(graphs), int(outcome.steps));
    const QString csv = m_dir.filePath(QStringLiteral("metrics.csv"));
    QVERIFY(page->charts()->exportCsv(csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(qint64(file.readAll().count('\n')), qint64(outcome.steps + 1));
    QVERIFY(page->charts()->exportPng(m_dir.filePath(QStringLiteral("chart.png")), 800, 500));
}

void TestTrainPage::reportsBadInputWithoutCrashing()
{
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    const QString missing = m_dir.filePath(QStringLiteral("no-such-data.json"));
    fill(page, missing);
    fttest::expectMissingDataReported(page, missing, kTimeoutMs);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(page->state(), TrainPage::State::Idle);
    QVERIFY(page->history()->runText(0).contains(QStringLiteral("failed")));
}

void TestTrainPage::drawsTheEvalLoss()
{
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    fill(page, m_data);
    child<QSpinBox>(page, "maxSteps")->setValue(6);
    child<QDoubleSpinBox>(page, "valSize")->setValue(0.25);  // 12 of the 48 rows
    child<QSpinBox>(page, "evalSteps")->setValue(3);
    QSignalSpy finished(page, &TrainPage::trainingFinished);
    page->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    const auto outcome = finished.first().first().value<ftui::TrainingOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(chartPoints(page), 6);
    // Graph 2 is the eval loss: evaluated after steps 3 and 6.
    QVERIFY2(page->charts()->lossGraphPoints(2) >= 2,
             qPrintable(QString::number(page->charts()->lossGraphPoints(2))));
}

void TestTrainPage::showsTheMemoryEstimate()
{
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    ftui::MemoryEstimateCard *card = window->modelPage()->memoryCard();
    // Full, freeze, LoRA (r 8 on q_proj and v_proj), IA3, prompt tuning.
    QCOMPARE(card->verdict(0), QStringLiteral("fits"));
    // q_proj 128 -> 128, v_proj 128 -> 2 heads x 32: r (in + out) per module, 2 layers.
    QCOMPARE(card->estimate(2).trainableParameters, qint64(2 * 8 * ((128 + 128) + (128 + 64))));
    QCOMPARE(card->estimate(0).gradients, card->estimate(0).weights);
    QCOMPARE(card->estimate(0).optimizer, 2 * card->estimate(0).weights);

    // The Train page shows the chosen settings, and follows the batch size.
    TrainPage *page = window->trainPage();
    const qint64 before = page->memoryCard()->estimate(0).activations;
    const qint64 fullBefore = card->estimate(0).activations;
    QCOMPARE(child<QSpinBox>(page, "batchSize")->value(), 4);  // the article's default
    child<QSpinBox>(page, "batchSize")->setValue(8);
    QCOMPARE(page->memoryCard()->estimate(0).activations, 2 * before);
    QCOMPARE(card->estimate(0).activations, 2 * fullBefore);  // the Model page follows the setup
}

void TestTrainPage::closingWhileTrainingStopsThenCloses()
{
    const auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    window->showPage(MainWindow::Page::Train);
    window->show();
    fill(page, m_data);
    QSignalSpy finished(page, &TrainPage::trainingFinished);
    page->start();
    QTRY_VERIFY_WITH_TIMEOUT(chartPoints(page) > 0, kTimeoutMs);

    // The window asks first; "Yes" stops the run after its step, then the window closes.
    bool asked = false;
    QTimer answer;
    connect(&answer, &QTimer::timeout, [&] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            asked = true;
            box->button(QMessageBox::Yes)->click();
        }
    });
    answer.start(20);
    QVERIFY(!window->close());  // not yet: the run is still stopping
    answer.stop();
    QVERIFY(asked);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), kTimeoutMs);
    const auto outcome = finished.first().first().value<ftui::TrainingOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    const QString runDir = page->currentRunDir();
    QVERIFY2(QFile::exists(QDir(runDir).filePath(QStringLiteral("checkpoint-%1/trainer_state.json")
                                                    .arg(outcome.steps)))
                 || QFile::exists(runDir + QStringLiteral("/final/adapter_model.safetensors")),
             qPrintable(runDir));
}

void TestTrainPage::destroyingTheWindowWhileTrainingJoinsTheWorker()
{
    auto window = openWindow();
    QVERIFY2(window, "the model did not load");
    TrainPage *page = window->trainPage();
    fill(page, m_data);
    page->start();
    QTRY_VERIFY_WITH_TIMEOUT(chartPoints(page) > 0, kTimeoutMs);
    // The application quitting under a running trainer: the worker stops and is joined, no
    // event reaches the destroyed page (TSan and ASan watch this one).
    window.reset();
    QTest::qWait(200);
}

QTEST_MAIN(TestTrainPage)
#include "tst_trainpage.moc"
