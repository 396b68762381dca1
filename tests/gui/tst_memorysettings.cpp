// The Train page's memory savers: "Frozen base" (base_precision) for the adapter strategies and
// "Checkpointing" (gradient_checkpointing) reach the engine's configuration and the memory
// estimate, survive the project's saved settings, and the plan the layer map draws marks the
// parts held compact.

#include "strategyadvisor.h"
#include "tinytrainablemodel.h"
#include "trainingsettingsform.h"
#include "trainingsetup.h"

#include <ft/model.h>
#include <ft/modelstructure.h>

#include <nlohmann/json.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QTemporaryDir>
#include <QTest>

using ftui::TrainingSettingsForm;
using ftui::TrainingSetup;

class TestMemorySettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void frozenBaseFollowsTheStrategy();
    void checkpointingReachesTheRun();
    void planMarksTheCompactParts();
    void advisorCountsTheMemorySavers();
};

void TestMemorySettings::frozenBaseFollowsTheStrategy()
{
    TrainingSetup setup;
    TrainingSettingsForm form(&setup);
    auto *base = form.findChild<QComboBox *>(QStringLiteral("basePrecision"));
    auto *strategy = form.findChild<QComboBox *>(QStringLiteral("strategyCombo"));
    QVERIFY(base);
    QVERIFY(strategy);
    QCOMPARE(setup.settings().strategy, std::string("lora"));
    QVERIFY(base->isEnabled());
    QCOMPARE(base->currentData().toString(), QStringLiteral("fp32"));

    base->setCurrentIndex(base->findData(QStringLiteral("nf4")));
    QCOMPARE(setup.settings().basePrecision, std::string("nf4"));
    QCOMPARE(setup.memoryStrategy().basePrecision, ft::BasePrecision::Nf4);
    QCOMPARE(setup.buildConfig(QStringLiteral("m"), QStringLiteral("o")).basePrecision, std::string("nf4"));

    // Saved with the project and back.
    TrainingSetup reopened;
    QVERIFY(reopened.restoreSaved(setup.toSaved()));
    QCOMPARE(reopened.settings().basePrecision, std::string("nf4"));
    TrainingSettingsForm reopenedForm(&reopened);
    QCOMPARE(reopenedForm.findChild<QComboBox *>(QStringLiteral("basePrecision"))->currentData().toString(),
             QStringLiteral("nf4"));

    // Full fine-tuning trains the base's own weights: they stay fp32, and the choice is off.
    strategy->setCurrentIndex(strategy->findData(QStringLiteral("full")));
    QCOMPARE(setup.settings().strategy, std::string("full"));
    QCOMPARE(setup.settings().basePrecision, std::string("fp32"));
    QVERIFY(!base->isEnabled());
    QCOMPARE(setup.memoryStrategy().basePrecision, ft::BasePrecision::Fp32);
}

void TestMemorySettings::checkpointingReachesTheRun()
{
    TrainingSetup setup;
    TrainingSettingsForm form(&setup);
    auto *box = form.findChild<QCheckBox *>(QStringLiteral("gradientCheckpointing"));
    QVERIFY(box);
    QVERIFY(!box->isChecked());
    QVERIFY(!setup.settings().gradientCheckpointing);
    box->setChecked(true);
    QVERIFY(setup.settings().gradientCheckpointing);
    QVERIFY(setup.memoryStrategy().gradientCheckpointing);
    QVERIFY(setup.buildConfig(QStringLiteral("m"), QStringLiteral("o")).gradientCheckpointing);
    TrainingSetup reopened;
    QVERIFY(reopened.restoreSaved(setup.toSaved()));
    QVERIFY(reopened.settings().gradientCheckpointing);
    TrainingSettingsForm reopenedForm(&reopened);
    QVERIFY(reopenedForm.findChild<QCheckBox *>(QStringLiteral("gradientCheckpointing"))->isChecked());
}

void TestMemorySettings::planMarksTheCompactParts()
{
    QTemporaryDir dir;
    const std::string model = dir.filePath(QStringLiteral("model")).toStdString();
    fttest::writeTinyLlama(model);
    const auto m = ft::Model::open(model);
    ft::TrainingConfig config;
    config.model = model;
    config.basePrecision = "q8_0";
    const ft::ModelStructure structure = ft::describeModel(*m);
    const ft::TrainingPlan plan = ft::planTraining(config, *m);
    const nlohmann::json json = ft::toJson(structure, plan);
    int compact = 0;
    for (size_t i = 0; i < plan.parts.size(); ++i) {
        const std::string &kind = structure.parts[i].kind;
        const std::string expected = kind == "attention" || kind == "mlp" ? "q8_0" : "";
        QCOMPARE(plan.parts[i].baseFormat, expected);
        QCOMPARE(json["parts"][i].value("base_format", std::string()), expected);
        compact += !expected.empty();
    }
    QCOMPARE(compact, 4);  // two blocks: attention and MLP each
    config.basePrecision = "fp32";
    for (const auto &part : ft::planTraining(config, *m).parts)
        QVERIFY(part.baseFormat.empty());
}

void TestMemorySettings::advisorCountsTheMemorySavers()
{
    QTemporaryDir dir;
    const std::string model = dir.filePath(QStringLiteral("model")).toStdString();
    fttest::writeTinyLlama(model);
    const auto m = ft::Model::open(model);
    const ft::ModelStructure structure = ft::describeModel(*m);
    ftui::StrategyAdvisor advisor;
    advisor.setDatasetRows(1000);  // LoRA by the article's rule
    ft::TrainingConfig settings;
    advisor.refresh(m.get(), structure, settings, QStringLiteral("lora"));
    const QString plain = advisor.adviceText();
    settings.gradientCheckpointing = true;
    advisor.refresh(m.get(), structure, settings, QStringLiteral("lora"));
    const QString checkpointed = advisor.adviceText();
    // The same advice with a smaller memory figure (the estimate the Train page shows).
    QCOMPARE(advisor.advised(), QStringLiteral("lora"));
    QVERIFY2(plain != checkpointed, qPrintable(plain));
}

QTEST_MAIN(TestMemorySettings)
#include "tst_memorysettings.moc"
