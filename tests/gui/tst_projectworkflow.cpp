// The project as the single source of truth, on the real MainWindow and engine: the Train page
// trains on a project dataset (excluded rows and validation rows are not trained on: the run's
// data_rows.json lists the project row ids it trained and evaluated), the run is recorded in the
// project; the window is destroyed and a new one made on the same settings reopens the project,
// its last model, the Train settings, the run list and Compare's run list (the run, left
// "running" by a process that is gone, shows as crashed and resumable); it is resumed from the
// window and its curve continues exactly as an uninterrupted run's; then the
// run is deleted with its folder from the run list.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "comparepage.h"
#include "datasetpicker.h"
#include "mainwindow.h"
#include "modelpage.h"
#include "projectactions.h"
#include "projectruns.h"
#include "runhistory.h"
#include "studiosession.h"
#include "trainingcharts.h"
#include "trainingsetup.h"
#include "trainpage.h"

#include <ft/project.h>
#include <ft/runstore.h>
#include <ft/trainer.h>

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <set>

using ftui::MainWindow;
using nlohmann::json;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr int kMaxSteps = 12;

template <typename T> T *child(QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qWarning("no child %s", name);
    return widget;
}

std::map<int64_t, double> stepLosses(const QString &runDir)
{
    std::map<int64_t, double> losses;
    std::ifstream in(QDir(runDir).filePath(QStringLiteral("metrics.jsonl")).toStdString());
    std::string line;
    while (std::getline(in, line)) {
        const json j = json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("step") && j.contains("loss"))
            losses[j["step"].get<int64_t>()] = j["loss"].get<double>();
    }
    return losses;
}

std::unique_ptr<MainWindow> makeWindow(const QString &runsRoot)
{
    auto window = std::make_unique<MainWindow>();
    window->modelPage()->setErrorDisplay(ftui::ModelPage::ErrorDisplay::SignalOnly);
    window->trainPage()->setErrorDisplay(ftui::TrainPage::ErrorDisplay::SignalOnly);
    window->comparePage()->setErrorDisplay(ftui::ComparePage::ErrorDisplay::SignalOnly);
    window->trainPage()->setRunsRoot(runsRoot);
    window->resize(1280, 820);
    window->show();
    return window;
}

} // namespace

class TestProjectWorkflow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainsFromTheProjectRestoresAndResumes();

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_project;
    std::set<int64_t> m_trainIds, m_validationIds, m_excludedIds;
};

void TestProjectWorkflow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_projectworkflow"));
    QSettings().clear();
    qputenv("FT_TRAINER_NICE", "0");
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    json rows;
    std::ifstream(alpaca.toStdString()) >> rows;
    // A project with 40 rows of the demo: three excluded, one edited, a 20 % validation split.
    m_project = m_dir.filePath(QStringLiteral("runs.ftproj"));
    ft::ProjectStore store(m_project.toStdString());
    auto writer = store.beginDataset({"demo", alpaca.toStdString(), "alpaca", json::object(), "h"});
    for (size_t i = 0; i < 40 && i < rows.size(); ++i) {
        ft::NewRow row;
        row.original = rows[i];
        const std::string input = rows[i].value("input", std::string());
        const std::string instruction = rows[i]["instruction"].get<std::string>();
        row.messages = {{"user", input.empty() ? instruction : instruction + "\n\n" + input},
                        {"assistant", rows[i]["output"].get<std::string>()}};
        writer->addRow(row);
    }
    const int64_t ds = writer->commit().id;
    store.assignSplits(ds, {0.2, 0.0, 42, false});
    store.setStatus(ds, {2, 5, 11}, ft::RowStatus::Excluded);
    store.editRow(ds, 0, {{"user", "Say hello."}, {"assistant", "Hello!"}});
    store.forEachRow(ds, [&](const ft::ProjectRow &row) {
        if (row.status == ft::RowStatus::Excluded)
            m_excludedIds.insert(row.id);
        else if (row.split == "validation")
            m_validationIds.insert(row.id);
        else
            m_trainIds.insert(row.id);
        return true;
    });
    m_model = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::TinyLlamaShape shape;
    shape.hidden = 128;
    shape.intermediate = 344;
    fttest::writeTinyLlama(m_model.toStdString(), shape);
}

void TestProjectWorkflow::trainsFromTheProjectRestoresAndResumes()
{
    if (m_model.isEmpty())
        QSKIP("no fixtures");
    const QString runsRoot = m_dir.filePath(QStringLiteral("runs"));
    QString runDir;
    qint64 stoppedAt = 0;
    {
        // --- The first session: project, model, dataset, settings; train, pause, stop. ---
        const auto window = makeWindow(runsRoot);
        QVERIFY(ftui::openProject(window.get(), window->session(), m_project, false, true));
        window->openModel(m_model);
        QTRY_VERIFY_WITH_TIMEOUT(window->session()->hasModel(), kTimeoutMs);
        window->showPage(MainWindow::Page::Train);
        ftui::TrainPage *train = window->trainPage();
        ftui::TrainingSetup *setup = window->session()->trainingSetup();
        QCOMPARE(train->datasetPicker()->datasetCount(), 1);
        QVERIFY(train->datasetPicker()->choose(QStringLiteral("demo")));
        QCOMPARE(setup->dataPath(), m_project + QStringLiteral("#demo"));
        QVERIFY2(train->datasetPicker()->summary().contains(QStringLiteral("validation")),
                 qPrintable(train->datasetPicker()->summary()));
        QVERIFY(!child<QDoubleSpinBox>(train, "valSize")->isEnabled());  // the project's split
        child<QComboBox>(train, "templateCombo")->setCurrentText(QStringLiteral("plain"));
        child<QSpinBox>(train, "maxSteps")->setValue(kMaxSteps);
        child<QSpinBox>(train, "cutoffLen")->setValue(160);
        child<QSpinBox>(train, "batchSize")->setValue(4);
        child<QSpinBox>(train, "gradientAccumulation")->setValue(2);
        child<QSpinBox>(train, "saveSteps")->setValue(0);
        child<QDoubleSpinBox>(train, "learningRate")->setValue(0.01);
        const ft::TrainingConfig config = setup->buildConfig(m_model, QStringLiteral("x"));
        QCOMPARE(config.dataSplit, std::string("train"));
        QCOMPARE(config.evalSplit, std::string("validation"));
        QCOMPARE(config.valSize, 0.0);

        QSignalSpy errors(train, &ftui::TrainPage::errorOccurred);
        QSignalSpy finished(train, &ftui::TrainPage::trainingFinished);
        QSignalSpy held(train, &ftui::TrainPage::pausedAtStep);
        QTest::mouseClick(child<QPushButton>(train, "startButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(train->charts()->lossGraphPoints(0) > 0 || !finished.isEmpty(),
                                 kTimeoutMs);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
        QTest::mouseClick(child<QPushButton>(train, "pauseButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(held.count(), 1, kTimeoutMs);
        QTest::mouseClick(child<QPushButton>(train, "stopButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        const auto outcome = finished.constFirst().constFirst().value<ftui::TrainingOutcome>();
        QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
        QVERIFY2(outcome.stopped && outcome.steps < kMaxSteps,
                 "the run ended before pause took hold; make the steps slower");
        stoppedAt = outcome.steps;
        runDir = train->currentRunDir();

        // What the engine trained and evaluated: train-split rows that are not excluded, and
        // the validation split's.
        std::ifstream in(QDir(runDir).filePath(QStringLiteral("data_rows.json")).toStdString());
        const json used = json::parse(in);
        const auto trained = used["train_row_ids"].get<std::vector<int64_t>>();
        const auto evaluated = used["eval_row_ids"].get<std::vector<int64_t>>();
        qInfo("trained %d rows, evaluated %d (train split %d, validation split %d, excluded %d)",
              int(trained.size()), int(evaluated.size()), int(m_trainIds.size()),
              int(m_validationIds.size()), int(m_excludedIds.size()));
        // Every row is accounted for; a row whose answer falls past cutoff_len is skipped by the
        // engine (counted in its log), so these are subsets, nearly all of each split.
        QVERIFY(trained.size() + 2 >= m_trainIds.size());
        QVERIFY(evaluated.size() + 2 >= m_validationIds.size() && !evaluated.empty());
        for (int64_t id : evaluated)
            QVERIFY(m_validationIds.count(id));
        for (int64_t id : trained)
            QVERIFY(m_trainIds.count(id));  // neither excluded nor validation

        // The run is in the project, stopped with its checkpoint; Train and Compare list it.
        ft::ProjectStore store(m_project.toStdString(), true);
        const auto runs = ft::listRuns(store);
        QCOMPARE(int(runs.size()), 1);
        QCOMPARE(runs[0].status, ft::RunStatus::Stopped);
        QCOMPARE(runs[0].lastCheckpointStep, stoppedAt);
        QCOMPARE(runs[0].folder, runDir.toStdString());
        QCOMPARE(runs[0].dataset, (m_project + QStringLiteral("#demo")).toStdString());
        QVERIFY(runs[0].resumable());
        QCOMPARE(train->history()->count(), 1);
        QCOMPARE(window->comparePage()->runCount(), 1);
        window->close();
    }
    {
        // As if the studio had died mid-run: the record still says running, by a process that
        // no longer exists (above Linux's largest pid).
        ft::ProjectStore store(m_project.toStdString(), true);
        ft::RunRecord run = ft::listRuns(store).at(0);
        run.status = ft::RunStatus::Running;
        run.pid = 999999999;
        run.lastCheckpointStep = 0;  // what the record held while it ran: the folder knows more
        run.steps = 0;
        ft::updateRun(store, run);
    }

    // --- Reopened: project, model, settings, runs and Compare's list come back. ---
    const auto window = makeWindow(runsRoot);
    QCOMPARE(window->session()->projectPath(), m_project);
    QTRY_VERIFY_WITH_TIMEOUT(window->session()->hasModel(), kTimeoutMs);
    QCOMPARE(window->session()->modelPath(), m_model);
    ftui::TrainPage *train = window->trainPage();
    ftui::TrainingSetup *setup = window->session()->trainingSetup();
    QCOMPARE(setup->dataPath(), m_project + QStringLiteral("#demo"));
    QCOMPARE(setup->settings().maxSteps, int64_t(kMaxSteps));
    QCOMPARE(setup->settings().learningRate, 0.01);
    QCOMPARE(setup->settings().templateName, std::string("plain"));
    QCOMPARE(child<QSpinBox>(train, "cutoffLen")->value(), 160);
    QCOMPARE(child<QComboBox>(train, "datasetChoice")->currentText(), QStringLiteral("demo"));
    ftui::RunHistory *history = train->history();
    QCOMPARE(history->count(), 1);
    QVERIFY2(history->runText(0).contains(QStringLiteral("crashed (resumable from step %1)").arg(stoppedAt)),
             qPrintable(history->runText(0)));
    QCOMPARE(window->comparePage()->runCount(), 1);

    // --- Resume from the window: the curve continues to the end. ---
    window->showPage(MainWindow::Page::Train);
    history->selectRow(0);
    auto *resume = child<QPushButton>(train, "resumeRunButton");
    QVERIFY(resume->isEnabled());
    QSignalSpy finished(train, &ftui::TrainPage::trainingFinished);
    QSignalSpy errors(train, &ftui::TrainPage::errorOccurred);
    QTest::mouseClick(resume, Qt::LeftButton);
    QCOMPARE(train->state(), ftui::TrainPage::State::Running);
    QVERIFY(!resume->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 3 * kTimeoutMs);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
    const auto outcome = finished.constFirst().constFirst().value<ftui::TrainingOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(outcome.steps, qint64(kMaxSteps));
    QCOMPARE(train->currentRunDir(), runDir);
    QCOMPARE(train->charts()->lossGraphPoints(0), kMaxSteps);  // the earlier steps, then the rest
    QVERIFY2(history->runText(0).contains(QStringLiteral("finished")), qPrintable(history->runText(0)));
    {
        ft::ProjectStore store(m_project.toStdString(), true);
        const auto run = ft::listRuns(store).at(0);
        QCOMPARE(run.status, ft::RunStatus::Finished);
        QCOMPARE(run.steps, int64_t(kMaxSteps));
        QVERIFY(run.finalLoss.has_value());
    }

    // The same run uninterrupted (the engine directly): every step's loss within 1e-6.
    ft::RunRecord record = window->session()->runs()->runs().at(0);
    json config = record.config;
    const QString reference = m_dir.filePath(QStringLiteral("uninterrupted"));
    config["output_dir"] = reference.toStdString();
    ft::Trainer trainer(ft::parseTrainingConfig(config, "reference"));
    trainer.run();
    const auto resumed = stepLosses(runDir);
    const auto straight = stepLosses(reference);
    QCOMPARE(int(resumed.size()), kMaxSteps);
    QCOMPARE(int(straight.size()), kMaxSteps);
    for (const auto &[step, loss] : straight)
        QVERIFY2(std::abs(resumed.at(step) - loss) <= 1e-6,
                 qPrintable(QStringLiteral("step %1: %2 vs %3").arg(step).arg(resumed.at(step)).arg(loss)));

    // --- Rename and notes: the one run list shows them in Train and Compare. ---
    ftui::ProjectRuns *runs = window->session()->runs();
    runs->rename(record.id, QStringLiteral("lr 0.01, resumed"));
    runs->setNotes(record.id, QStringLiteral("stopped once, resumed from the window"));
    QVERIFY2(history->runText(0).startsWith(QStringLiteral("lr 0.01, resumed")),
             qPrintable(history->runText(0)));
    QCOMPARE(window->comparePage()->runCount(), 1);
    {
        ft::ProjectStore store(m_project.toStdString(), true);
        QCOMPARE(ft::findRun(store, record.id)->notes, std::string("stopped once, resumed from the window"));
    }

    // --- Delete the run with its folder (after the confirmation). ---
    auto *poll = new QTimer(this);
    connect(poll, &QTimer::timeout, this, [poll] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        poll->stop();
        poll->deleteLater();
        box->button(QMessageBox::Yes)->click();
    });
    poll->start(20);
    history->selectRow(0);
    history->deleteSelected();
    QCOMPARE(history->count(), 0);
    QVERIFY(!QDir(runDir).exists());
    QCOMPARE(window->comparePage()->runCount(), 0);
    ft::ProjectStore store(m_project.toStdString(), true);
    QVERIFY(ft::listRuns(store).empty());
}

QTEST_MAIN(TestProjectWorkflow)
#include "tst_projectworkflow.moc"
