// The whole workflow in one go, through the widgets of the real MainWindow on the real engine:
// a dataset file dropped on the window is imported into a new project through the import
// wizard (its detected format accepted), reviewed (findings in the quality report), a tiny
// trainable Llama dropped on the window, LoRA chosen on the Strategy page's layer map (the count
// shown is planTraining's), 20 steps started on the Train page with points arriving on the loss
// chart, paused (steps stop), resumed (steps continue), stopped, then on Compare base and tuned
// answer a free prompt, then blindly a row of the validation split made on the Data page, and
// the verdict is read back from the project file with the core store.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "comparepage.h"
#include "datapage.h"
#include "datasetpicker.h"
#include "importdialog.h"
#include "layermap.h"
#include "mainwindow.h"
#include "modelpage.h"
#include "projectactions.h"
#include "reviewpanel.h"
#include "strategypage.h"
#include "studiosession.h"
#include "trainingcharts.h"
#include "trainingsetup.h"
#include "trainpage.h"

#include <ft/generation.h>
#include <ft/model.h>
#include <ft/project.h>
#include <ft/ratingstore.h>
#include <ft/tokenizer.h>
#include <ft/trainer.h>

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUrl>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <map>

using ftui::MainWindow;

namespace {

constexpr int kTimeoutMs = 30000;
const char kPrompt[] = "Give three tips for staying healthy.";

template <typename T> T *child(QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qWarning("no child %s", name);
    return widget;
}

// What a person does with a file from the file manager: drag it onto the window and let go.
void dropOnWindow(MainWindow &window, const QString &path)
{
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPoint centre = window.rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QDropEvent drop(QPointF(centre), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
}

// Modal dialogs block in exec(): this clicks OK on the next one once it shows, after handing it
// to `inspect`.
void acceptNextDialog(QObject *context, std::function<void(QDialog *)> inspect = {})
{
    auto *poll = new QTimer(context);
    QObject::connect(poll, &QTimer::timeout, context, [poll, inspect] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        poll->stop();
        poll->deleteLater();
        if (inspect)
            inspect(dialog);
        auto *buttons = dialog->findChild<QDialogButtonBox *>();
        QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    });
    poll->start(20);
}

std::string generateDirect(const ft::Model &model, bool useAdapter, int maxTokens)
{
    ft::GenerationOptions options;
    options.maxNewTokens = maxTokens;
    options.temperature = 0.0f;
    options.seed = 42;
    options.useAdapter = useAdapter;
    std::string streamed;
    options.onToken = [&](int32_t, const std::string &piece) {
        streamed += piece;
        return true;
    };
    ft::generate(model, model.tokenizer()->encode(kPrompt, true), options);
    return streamed;
}

} // namespace

class TestWorkflow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void importReviewTrainCompareVote();

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
};

void TestWorkflow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_workflow"));
    QSettings().clear();  // no last project or page restored
    // As in tst_trainpage: the trainer's nice +10 would let a busy machine starve the run.
    qputenv("FT_TRAINER_NICE", "0");
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    // 48 rows of the demo, plus two the review must flag: an exact duplicate of row 0 and an
    // answer with an e-mail address.
    nlohmann::json rows;
    std::ifstream(alpaca.toStdString()) >> rows;
    nlohmann::json picked = nlohmann::json::array();
    for (size_t i = 0; i < 48 && i < rows.size(); ++i)
        picked.push_back(rows[i]);
    picked.push_back(rows[0]);
    picked.push_back({{"instruction", "Who answers questions about the course?"},
                      {"input", ""},
                      {"output", "Write to the course office at jane.doe@example.com."}});
    m_data = m_dir.filePath(QStringLiteral("alpaca_slice.json"));
    std::ofstream(m_data.toStdString()) << picked.dump();
    // Small, but with steps slow enough that pause lands mid-run (as in tst_trainpage).
    m_model = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::TinyLlamaShape shape;
    shape.hidden = 128;
    shape.intermediate = 344;
    shape.layers = 2;
    fttest::writeTinyLlama(m_model.toStdString(), shape);
}

void TestWorkflow::importReviewTrainCompareVote()
{
    if (m_model.isEmpty())
        QSKIP("no fixtures");
    QElapsedTimer clock;
    clock.start();
    MainWindow window;
    window.dataPage()->setErrorDisplay(ftui::DataPage::ErrorDisplay::SignalOnly);
    window.modelPage()->setErrorDisplay(ftui::ModelPage::ErrorDisplay::SignalOnly);
    window.trainPage()->setErrorDisplay(ftui::TrainPage::ErrorDisplay::SignalOnly);
    window.comparePage()->setErrorDisplay(ftui::ComparePage::ErrorDisplay::SignalOnly);
    window.trainPage()->setRunsRoot(m_dir.filePath(QStringLiteral("runs")));
    window.resize(1440, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // --- Data: a new project, the file dropped on the window, the wizard accepted. ---
    const QString project = m_dir.filePath(QStringLiteral("workflow.ftproj"));
    QVERIFY(ftui::openProject(&window, window.session(), project, /*create=*/true, /*quiet=*/true));
    ftui::DataPage *data = window.dataPage();
    QSignalSpy dataErrors(data, &ftui::DataPage::errorOccurred);
    QSignalSpy imported(data, &ftui::DataPage::importFinished);
    QString detection;
    acceptNextDialog(this, [&](QDialog *dialog) {
        if (auto *wizard = qobject_cast<ftui::ImportDialog *>(dialog))
            detection = wizard->detectionText();
    });
    dropOnWindow(window, m_data);
    QCOMPARE(window.currentPage(), MainWindow::Page::Data);
    QVERIFY(imported.wait(kTimeoutMs));
    QVERIFY2(dataErrors.isEmpty(), qPrintable(dataErrors.value(0).value(0).toString()));
    QCOMPARE(imported.constFirst().constFirst().toBool(), true);
    QVERIFY2(detection.contains(QLatin1String("alpaca")), qPrintable(detection));
    QCOMPARE(data->currentDatasetName(), QStringLiteral("alpaca_slice"));
    QCOMPARE(data->datasetList()->topLevelItem(0)->text(2), QLocale().toString(50));

    // --- Review: the report shows a score and the two planted problems. ---
    QSignalSpy reviewed(data, &ftui::DataPage::reviewFinished);
    QTest::mouseClick(child<QPushButton>(data, "reviewButton"), Qt::LeftButton);
    QVERIFY(reviewed.wait(kTimeoutMs));
    QCOMPARE(reviewed.constFirst().constFirst().toBool(), true);
    QVERIFY2(data->reviewPanel()->scoreText().startsWith(QLatin1String("Quality score")),
             qPrintable(data->reviewPanel()->scoreText()));
    QVERIFY(data->reviewPanel()->countRows() >= 2);
    QVERIFY(data->findingFilter()->findData(QStringLiteral("exact_duplicate")) >= 0);
    QVERIFY(data->findingFilter()->findData(QStringLiteral("pii")) >= 0);
    QVERIFY(data->datasetList()->topLevelItem(0)->text(3).toInt() >= 2);

    // --- Split (the dialog's defaults: 10 % validation, seed 42): training takes the train rows,
    // Compare offers the validation rows. ---
    acceptNextDialog(this);
    QTest::mouseClick(child<QPushButton>(data, "splitButton"), Qt::LeftButton);
    QStringList validationPrompts;
    {
        ft::ProjectStore store(project.toStdString(), /*mustExist=*/true);
        const ft::DatasetInfo info = store.dataset("alpaca_slice");
        const ft::SplitCounts split = store.splitCounts(info.id);
        QCOMPARE(split.validation, int64_t(5));
        QCOMPARE(data->datasetList()->topLevelItem(0)->text(4),
                 QStringLiteral("%1 / %2 / %3").arg(split.train).arg(split.validation).arg(split.test));
        store.forEachRow(info.id, [&](const ft::ProjectRow &row) {
            if (row.split == "validation")
                validationPrompts << QString::fromStdString(row.messages.front().content);
            return true;
        });
    }
    qInfo("imported, reviewed and split at %lld ms", qint64(clock.elapsed()));

    // --- Model: the folder dropped on the window opens off the GUI thread. ---
    QSignalSpy modelErrors(window.modelPage(), &ftui::ModelPage::errorOccurred);
    dropOnWindow(window, m_model);
    QCOMPARE(window.currentPage(), MainWindow::Page::Model);
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->hasModel(), kTimeoutMs);
    QVERIFY2(modelErrors.isEmpty(), qPrintable(modelErrors.value(0).value(0).toString()));
    const std::shared_ptr<ft::Model> model = window.session()->model();

    // --- Strategy: LoRA, and k_proj added on the layer map next to the defaults. ---
    window.showPage(MainWindow::Page::Strategy);
    QTest::qWait(50);  // the page laid out, the map drawn
    ftui::StrategyPage *strategy = window.strategyPage();
    auto *choice = child<QComboBox>(strategy, "strategyChoice");
    choice->setCurrentIndex(choice->findData(QStringLiteral("lora")));
    ftui::TrainingSetup *setup = window.session()->trainingSetup();
    QCOMPARE(setup->settings().strategy, std::string("lora"));
    ftui::LayerMap *map = strategy->layerMap();
    const QRect chip = map->chipRect(QStringLiteral("block.0.attention"), QStringLiteral("k_proj"));
    QVERIFY2(!chip.isEmpty(), "k_proj chip drawn");
    QTest::mouseClick(map, Qt::LeftButton, {}, chip.center());
    const auto &targets = setup->settings().lora.targetModules;
    QCOMPARE(int(targets.size()), 3);  // q_proj, v_proj (the defaults) and k_proj
    const int64_t planned =
        ft::planTraining(setup->buildConfig(window.session()->modelPath(), QString()), *model)
            .trainableParameters;
    // peft: r * (in + out) per targeted Linear; q 128 -> 128, k and v 128 -> 2 heads x 32.
    const int r = setup->settings().lora.r;
    QCOMPARE(planned, int64_t(2) * r * ((128 + 128) + (128 + 64) + (128 + 64)));
    const QString shown = child<QLabel>(strategy, "trainableSummary")->text();
    QVERIFY2(shown.contains(QLocale().toString(qlonglong(planned))), qPrintable(shown));

    // --- Train: the project's dataset, 20 steps; points arrive; pause, resume, stop. ---
    window.showPage(MainWindow::Page::Train);
    ftui::TrainPage *train = window.trainPage();
    // The project's dataset (its split decides what trains and what is evaluated).
    QVERIFY(train->datasetPicker()->choose(QStringLiteral("alpaca_slice")));
    QCOMPARE(setup->dataPath(), project + QStringLiteral("#alpaca_slice"));
    child<QComboBox>(train, "templateCombo")->setCurrentText(QStringLiteral("plain"));
    child<QSpinBox>(train, "maxSteps")->setValue(20);
    child<QSpinBox>(train, "cutoffLen")->setValue(192);
    child<QSpinBox>(train, "batchSize")->setValue(4);
    child<QSpinBox>(train, "gradientAccumulation")->setValue(2);
    child<QSpinBox>(train, "saveSteps")->setValue(0);
    // A large rate, so that 20 steps visibly change the answers.
    child<QDoubleSpinBox>(train, "learningRate")->setValue(0.02);
    QCOMPARE(setup->settings().strategy, std::string("lora"));  // what the map chose
    QCOMPARE(int(setup->settings().lora.targetModules.size()), 3);

    auto *start = child<QPushButton>(train, "startButton");
    auto *pause = child<QPushButton>(train, "pauseButton");
    auto *resume = child<QPushButton>(train, "resumeButton");
    auto *stop = child<QPushButton>(train, "stopButton");
    QVERIFY(start->isEnabled());
    QSignalSpy trainErrors(train, &ftui::TrainPage::errorOccurred);
    QSignalSpy finished(train, &ftui::TrainPage::trainingFinished);
    QSignalSpy held(train, &ftui::TrainPage::pausedAtStep);
    auto points = [train] { return train->charts()->lossGraphPoints(0); };
    QTest::mouseClick(start, Qt::LeftButton);
    QCOMPARE(train->state(), ftui::TrainPage::State::Running);
    QTRY_VERIFY_WITH_TIMEOUT(points() > 0 || !finished.isEmpty(), kTimeoutMs);
    QVERIFY2(trainErrors.isEmpty(), qPrintable(trainErrors.value(0).value(0).toString()));
    QVERIFY(finished.isEmpty());

    QTest::mouseClick(pause, Qt::LeftButton);
    QCOMPARE(train->state(), ftui::TrainPage::State::Paused);
    QTRY_COMPARE_WITH_TIMEOUT(held.count(), 1, kTimeoutMs);
    const int settled = points();
    QCOMPARE(qint64(settled), held.constFirst().constFirst().toLongLong());
    QTest::qWait(1000);
    QCOMPARE(points(), settled);  // paused: no step lands
    QVERIFY2(settled < 20, "the run ended before pause took hold; make the steps slower");

    QTest::mouseClick(resume, Qt::LeftButton);
    QCOMPARE(train->state(), ftui::TrainPage::State::Running);
    QTRY_VERIFY_WITH_TIMEOUT(points() > settled, kTimeoutMs);
    QTest::mouseClick(stop, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    const auto outcome = finished.constFirst().constFirst().value<ftui::TrainingOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(points(), int(outcome.steps));
    {   // The validation rows were evaluated, never trained on.
        std::ifstream in(QDir(train->currentRunDir()).filePath(QStringLiteral("data_rows.json")).toStdString());
        const nlohmann::json used = nlohmann::json::parse(in);
        ft::ProjectStore store(project.toStdString(), /*mustExist=*/true);
        std::map<int64_t, std::string> splitOf;
        store.forEachRow(store.dataset("alpaca_slice").id, [&](const ft::ProjectRow &row) {
            splitOf[row.id] = row.split;
            return true;
        });
        QVERIFY(!used["train_row_ids"].empty() && !used["eval_row_ids"].empty());
        for (const auto &id : used["train_row_ids"])
            QCOMPARE(splitOf.at(id.get<int64_t>()), std::string("train"));
        for (const auto &id : used["eval_row_ids"])
            QCOMPARE(splitOf.at(id.get<int64_t>()), std::string("validation"));
    }
    qInfo("trained %lld steps (paused at %d), %s, at %lld ms", qint64(outcome.steps), settled,
          outcome.stopped ? "stopped" : "finished", qint64(clock.elapsed()));

    // --- Compare: the run is offered (its checkpoint when stopped); base and tuned answer. ---
    window.showPage(MainWindow::Page::Compare);
    ftui::ComparePage *compare = window.comparePage();
    QCOMPARE(compare->projectFile(), window.session()->projectPath());
    auto *runs = child<QComboBox>(compare, "tunedRuns");
    QCOMPARE(runs->count(), 2);  // the prompt to choose, and the run
    runs->setFocus();
    QTest::keyClick(runs, Qt::Key_Down);  // a person picking the run: activated
    QVERIFY(compare->hasTuned());
    QVERIFY(model->hasAdapter());
    child<QDoubleSpinBox>(compare, "compareTemperature")->setValue(0.0);
    child<QSpinBox>(compare, "compareMaxTokens")->setValue(24);
    child<QSpinBox>(compare, "compareSeed")->setValue(42);
    auto *prompt = child<QPlainTextEdit>(compare, "comparePrompt");
    prompt->setFocus();
    QTest::keyClicks(prompt, QString::fromLatin1(kPrompt));
    QSignalSpy compared(compare, &ftui::ComparePage::comparisonFinished);
    QSignalSpy compareErrors(compare, &ftui::ComparePage::errorOccurred);
    auto *compareButton = child<QPushButton>(compare, "compareButton");
    QTest::mouseClick(compareButton, Qt::LeftButton);
    QVERIFY(compared.wait(kTimeoutMs));
    QVERIFY2(compareErrors.isEmpty(), qPrintable(compareErrors.value(0).value(0).toString()));
    QVERIFY(!compare->tunedOnLeft());  // not blind: base left, tuned right
    const QString base = compare->leftText();
    const QString tuned = compare->rightText();
    QVERIFY(!base.isEmpty() && !tuned.isEmpty());
    QVERIFY2(base != tuned, qPrintable(base));
    // The engine's own generation without and with the adapter (no chat template here).
    QVERIFY(!model->info().hasChatTemplate);
    const std::string baseDirect = generateDirect(*model, false, 24);
    const std::string tunedDirect = generateDirect(*model, true, 24);
    QCOMPARE(base, QString::fromStdString(baseDirect));
    QCOMPARE(tuned, QString::fromStdString(tunedDirect));

    // --- Blind, on the first validation row: the sides hidden and shuffled, a verdict. ---
    QTest::mouseClick(child<QCheckBox>(compare, "blindMode"), Qt::LeftButton);
    QVERIFY(compare->isBlind());
    auto *rows = child<QComboBox>(compare, "validationRows");
    QVERIFY(rows->isEnabled());
    QCOMPARE(compare->validationRowCount(), int(validationPrompts.size()));
    rows->setFocus();
    QTest::keyClick(rows, Qt::Key_Down);
    const QString rowPrompt = validationPrompts.constFirst();
    QCOMPARE(prompt->toPlainText(), rowPrompt);
    QVERIFY(!compare->referenceText().isEmpty());
    QTest::mouseClick(compareButton, Qt::LeftButton);
    QVERIFY(compared.wait(kTimeoutMs));
    QVERIFY2(compareErrors.isEmpty(), qPrintable(compareErrors.value(0).value(0).toString()));
    const bool tunedLeft = compare->tunedOnLeft();
    const QString blindTuned = tunedLeft ? compare->leftText() : compare->rightText();
    const QString blindBase = tunedLeft ? compare->rightText() : compare->leftText();
    QTest::keyClicks(child<QLineEdit>(compare, "voteNote"), QStringLiteral("reads better"));
    QSignalSpy stored(compare, &ftui::ComparePage::voteStored);
    QTest::mouseClick(child<QPushButton>(compare, "voteA"), Qt::LeftButton);
    QCOMPARE(stored.count(), 1);

    // The verdict is in the project file, next to the dataset.
    ft::ProjectStore store(project.toStdString(), /*mustExist=*/true);
    QCOMPARE(int(store.datasets().size()), 1);
    const auto rated = ft::ratedComparisons(store);
    QCOMPARE(int(rated.size()), 1);
    QCOMPARE(QString::fromStdString(rated[0].prompt), rowPrompt);
    QCOMPARE(QString::fromStdString(rated[0].baseOutput), blindBase);
    QCOMPARE(QString::fromStdString(rated[0].tunedOutput), blindTuned);
    QCOMPARE(rated[0].tunedSide, std::string(tunedLeft ? "A" : "B"));
    QCOMPARE(rated[0].verdict, std::string(tunedLeft ? "tuned" : "base"));
    QCOMPARE(rated[0].note, std::string("reads better"));
    QCOMPARE(rated[0].settings.value("blind", false), true);
    QCOMPARE(QString::fromStdString(rated[0].tuned), compare->tunedFolder());
    QCOMPARE(ft::winRate(store).total(), int64_t(1));
    qInfo("whole workflow: %lld ms", qint64(clock.elapsed()));
    model->detachAdapter();
}

QTEST_MAIN(TestWorkflow)
#include "tst_workflow.moc"
