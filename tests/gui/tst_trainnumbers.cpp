// Honest numbers on the Train page before Start: the progress bar shows the planned steps (max
// steps, or the Trainer's own plan once a step is measured) rather than "0 / 1"; the measured
// step time and the plan follow batch size and accumulation; each strategy starts from its own
// learning rate (the article's 2e-5 stays in the tooltip) and a rate typed by hand is kept.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "mainwindow.h"
#include "modelpage.h"
#include "steptimecard.h"
#include "studiosession.h"
#include "trainingsetup.h"
#include "trainpage.h"

#include <ft/trainer.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>

using ftui::MainWindow;
using ftui::TrainPage;

namespace {

constexpr int kTimeoutMs = 60000;

template <typename T> T *child(QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qWarning("no child %s", name);
    return widget;
}

} // namespace

class TestTrainNumbers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void learningRateFollowsTheStrategy();
    void progressShowsThePlanBeforeStart();

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
};

void TestTrainNumbers::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_trainnumbers"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    nlohmann::json rows = nlohmann::json::array();
    for (int i = 0; i < 37; ++i)
        rows.push_back({{"instruction", "Name a colour, number " + std::to_string(i) + "."},
                        {"input", ""},
                        {"output", "Blue is colour number " + std::to_string(i) + "."}});
    m_data = m_dir.filePath(QStringLiteral("colours.json"));
    std::ofstream(m_data.toStdString()) << rows.dump();
    m_model = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::writeTinyLlama(m_model.toStdString());
}

void TestTrainNumbers::learningRateFollowsTheStrategy()
{
    MainWindow window;
    TrainPage *page = window.trainPage();
    auto *rate = child<QDoubleSpinBox>(page, "learningRate");
    auto *strategy = child<QComboBox>(page, "strategyCombo");
    ftui::TrainingSetup *setup = page->setup();
    QCOMPARE(setup->settings().strategy, std::string("lora"));
    QCOMPARE(setup->settings().learningRate, 2e-4);
    QCOMPARE(rate->value(), 2e-4);
    QVERIFY2(rate->toolTip().contains(QLatin1String("2e-5")), qPrintable(rate->toolTip()));

    strategy->setCurrentIndex(strategy->findData(QStringLiteral("full")));
    QCOMPARE(setup->settings().learningRate, 2e-5);
    QCOMPARE(rate->value(), 2e-5);
    // A change from elsewhere (the Strategy page writes the setup) does the same.
    ft::TrainingConfig s = setup->settings();
    s.strategy = "prompt_tuning";
    setup->setSettings(s);
    QCOMPARE(setup->settings().learningRate, 3e-2);
    QCOMPARE(rate->value(), 3e-2);

    // A rate typed by hand stays when the strategy changes.
    rate->setValue(5e-5);
    QCOMPARE(setup->settings().learningRate, 5e-5);
    strategy->setCurrentIndex(strategy->findData(QStringLiteral("lora")));
    QCOMPARE(setup->settings().strategy, std::string("lora"));
    QCOMPARE(setup->settings().learningRate, 5e-5);
}

void TestTrainNumbers::progressShowsThePlanBeforeStart()
{
    MainWindow window;
    window.modelPage()->setErrorDisplay(ftui::ModelPage::ErrorDisplay::SignalOnly);
    TrainPage *page = window.trainPage();
    window.openModel(m_model);
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->hasModel(), kTimeoutMs);
    window.showPage(MainWindow::Page::Train);
    auto *progress = child<QProgressBar>(page, "trainProgress");
    ftui::StepTimeCard *card = page->stepTimeCard();
    QVERIFY(progress && card);

    child<QLineEdit>(page, "dataPath")->setText(m_data);
    child<QComboBox>(page, "templateCombo")->setCurrentText(QStringLiteral("plain"));
    child<QSpinBox>(page, "cutoffLen")->setValue(64);
    child<QSpinBox>(page, "maxSteps")->setValue(20);
    QCOMPARE(progress->maximum(), 20);
    QCOMPARE(progress->text(), QStringLiteral("0 / 20 steps"));

    // From epochs: unknown until measured, then the Trainer's own count.
    child<QSpinBox>(page, "maxSteps")->setValue(0);
    child<QSpinBox>(page, "batchSize")->setValue(4);
    child<QSpinBox>(page, "gradientAccumulation")->setValue(2);
    child<QDoubleSpinBox>(page, "epochs")->setValue(2);
    QVERIFY(!progress->text().startsWith(QLatin1String("0 / 1 ")));
    auto *measure = child<QPushButton>(page, "measureStep");
    QVERIFY(measure->isEnabled());
    QTest::mouseClick(measure, Qt::LeftButton);
    QVERIFY(card->isEstimating());
    QTRY_VERIFY_WITH_TIMEOUT(!card->isEstimating(), kTimeoutMs);
    QVERIFY2(card->hasEstimate(), qPrintable(card->text()));
    auto trainerSteps = [&] {
        const ft::TrainingConfig config =
            page->setup()->buildConfig(window.session()->modelPath(), QString());
        return ft::Trainer(config).totalSteps();
    };
    const int64_t planned = trainerSteps();
    QCOMPARE(planned, int64_t(10));  // 37 rows: 10 micro-batches of 4, 5 steps, 2 epochs
    QCOMPARE(int64_t(progress->maximum()), planned);
    QCOMPARE(progress->text(), QStringLiteral("0 / 10 steps"));
    QVERIFY2(card->text().contains(QLatin1String("10 optimiser steps")), qPrintable(card->text()));
    const double step = card->current().stepSeconds;
    QVERIFY(step > 0);
    QCOMPARE(card->current().runSeconds, step * 10);
    // The hint speaks when a step is slower than the limit (10 s; lowered here to the step).
    QVERIFY(card->hint().isEmpty());
    card->setSlowStepSeconds(step / 2);
    QVERIFY2(card->hint().contains(QStringLiteral("4 × 2 = 8 rows per step")),
             qPrintable(card->hint()));
    card->setSlowStepSeconds(ftui::StepTimeCard::kSlowStepSeconds);
    QVERIFY(card->hint().isEmpty());

    // Batch and accumulation change the plan and the step time without a new measurement.
    child<QSpinBox>(page, "batchSize")->setValue(2);
    child<QSpinBox>(page, "gradientAccumulation")->setValue(4);
    QVERIFY(card->hasEstimate());
    QCOMPARE(int64_t(progress->maximum()), trainerSteps());  // 19 micro-batches: 5 steps x 2
    QCOMPARE(card->current().microBatchesPerStep, int64_t(4));
    // A change of cutoff changes the work of a step: measure again.
    child<QSpinBox>(page, "cutoffLen")->setValue(96);
    QVERIFY(!card->hasEstimate());
    QVERIFY(card->text().contains(QLatin1String("changed")));
}

QTEST_MAIN(TestTrainNumbers)
#include "tst_trainnumbers.moc"
