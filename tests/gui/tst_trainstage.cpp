// The Train page knows the stage: picking a project dataset of documents (format text) chooses
// "Documents (pt)", an instruction dataset "Instructions (sft)"; a person can change it; the
// choice reaches the engine's configuration and survives the project's saved settings. For
// documents the Strategy advisor counts tokens, read as rows of cutoff_len tokens.

#include "strategyadvisor.h"
#include "trainingsettingsform.h"
#include "trainingsetup.h"

#include <ft/dataimport.h>
#include <ft/project.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDir>
#include <QLocale>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using ftui::TrainingSettingsForm;
using ftui::TrainingSetup;

class TestTrainStage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void datasetFormatChoosesTheStage();
    void advisorReadsDocumentTokensAsPackedRows();
    void preferenceDatasetOffersDpoAndOrpo();
};

void TestTrainStage::datasetFormatChoosesTheStage()
{
    QTemporaryDir dir;
    const std::string project = dir.filePath(QStringLiteral("p.ftproj")).toStdString();
    QDir(dir.path()).mkpath(QStringLiteral("docs"));
    std::ofstream(dir.filePath(QStringLiteral("docs/a.txt")).toStdString()) << "A first document.\n";
    std::ofstream(dir.filePath(QStringLiteral("docs/b.html")).toStdString()) << "<p>A web page.</p>";
    std::ofstream(dir.filePath(QStringLiteral("qa.json")).toStdString())
        << R"([{"instruction": "Say hi", "output": "hi"}, {"instruction": "Say bye", "output": "bye"}])";
    {
        ft::ProjectStore store(project);
        ft::importDataset(store, {dir.filePath(QStringLiteral("docs")).toStdString()}, {});
        ft::importDataset(store, {dir.filePath(QStringLiteral("qa.json")).toStdString()}, {});
    }
    const QString p = QString::fromStdString(project);

    TrainingSetup setup;
    TrainingSettingsForm form(&setup);
    auto *stage = form.findChild<QComboBox *>(QStringLiteral("stageCombo"));
    auto *templ = form.findChild<QComboBox *>(QStringLiteral("templateCombo"));
    QVERIFY(stage && templ);
    QCOMPARE(setup.settings().stage, std::string("sft"));

    setup.setDataPath(p + QStringLiteral("#docs"));
    QCOMPARE(setup.settings().stage, std::string("pt"));
    QCOMPARE(stage->currentData().toString(), QStringLiteral("pt"));
    QVERIFY(!templ->isEnabled());  // documents take no chat template
    QCOMPARE(setup.buildConfig(QStringLiteral("m"), QStringLiteral("o")).stage, std::string("pt"));

    setup.setDataPath(p + QStringLiteral("#qa"));
    QCOMPARE(setup.settings().stage, std::string("sft"));
    QCOMPARE(stage->currentData().toString(), QStringLiteral("sft"));
    QVERIFY(templ->isEnabled());

    // A person's choice in the combo wins until another dataset is picked; it is saved.
    stage->setCurrentIndex(stage->findData(QStringLiteral("pt")));
    QCOMPARE(setup.settings().stage, std::string("pt"));
    const nlohmann::json saved = setup.toSaved();
    TrainingSetup restored;
    QVERIFY(restored.restoreSaved(saved));
    QCOMPARE(restored.settings().stage, std::string("pt"));
}

void TestTrainStage::advisorReadsDocumentTokensAsPackedRows()
{
    ftui::StrategyAdvisor advisor;
    ft::TrainingConfig settings;
    settings.cutoffLen = 1024;
    // 300k rows of 1024 tokens: between 100k and 1M rows, partial tuning by the article's rule.
    advisor.setDatasetTokens(300000LL * 1024 - 5);
    QVERIFY(advisor.countsTokens());
    advisor.refresh(nullptr, {}, settings, QStringLiteral("lora"));
    QCOMPARE(advisor.advised(), QStringLiteral("freeze"));
    const QString rows = QLocale().toString(300000);
    QVERIFY2(advisor.adviceText().contains(QStringLiteral("pack into %1 rows of 1024 tokens").arg(rows)),
             qPrintable(advisor.adviceText()));
    // As rows, the same number is over 1M: the count's unit matters.
    advisor.setDatasetRows(300000LL * 1024 - 5);
    QVERIFY(!advisor.countsTokens());
    advisor.refresh(nullptr, {}, settings, QStringLiteral("lora"));
    QCOMPARE(advisor.advised(), QStringLiteral("full"));
}

// A preference dataset picks "Preferences (DPO)" and shows Beta; ORPO, once chosen, stays for
// the next preference dataset; beta reaches the engine's configuration and the saved settings.
void TestTrainStage::preferenceDatasetOffersDpoAndOrpo()
{
    QTemporaryDir dir;
    const std::string project = dir.filePath(QStringLiteral("p.ftproj")).toStdString();
    std::ofstream(dir.filePath(QStringLiteral("pairs.json")).toStdString())
        << R"([{"instruction": "Say hi", "chosen": "hi", "rejected": "go away"},
               {"instruction": "Say bye", "chosen": "bye", "rejected": "no"}])";
    std::ofstream(dir.filePath(QStringLiteral("qa.json")).toStdString())
        << R"([{"instruction": "Say hi", "output": "hi"}])";
    {
        ft::ProjectStore store(project);
        const auto pairs = ft::importDataset(store, {dir.filePath(QStringLiteral("pairs.json")).toStdString()}, {});
        QCOMPARE(pairs.dataset.format, std::string("preference"));
        ft::importDataset(store, {dir.filePath(QStringLiteral("qa.json")).toStdString()}, {});
    }
    const QString p = QString::fromStdString(project);
    TrainingSetup setup;
    TrainingSettingsForm form(&setup);
    form.show();
    auto *stage = form.findChild<QComboBox *>(QStringLiteral("stageCombo"));
    auto *beta = form.findChild<QDoubleSpinBox *>(QStringLiteral("preferenceBeta"));
    QVERIFY(stage && beta);
    QVERIFY(!beta->isVisible());

    setup.setDataPath(p + QStringLiteral("#pairs"));
    QCOMPARE(setup.settings().stage, std::string("dpo"));
    QCOMPARE(stage->currentData().toString(), QStringLiteral("dpo"));
    QVERIFY(beta->isVisible());
    beta->setValue(0.25);
    const ft::TrainingConfig built = setup.buildConfig(QStringLiteral("m"), QStringLiteral("o"));
    QCOMPARE(built.stage, std::string("dpo"));
    QCOMPARE(built.preference.beta, 0.25);

    stage->setCurrentIndex(stage->findData(QStringLiteral("orpo")));
    QCOMPARE(setup.settings().stage, std::string("orpo"));
    TrainingSetup restored;
    QVERIFY(restored.restoreSaved(setup.toSaved()));
    QCOMPARE(restored.settings().stage, std::string("orpo"));
    QCOMPARE(restored.settings().preference.beta, 0.25);

    setup.setDataPath(p + QStringLiteral("#qa"));
    QCOMPARE(setup.settings().stage, std::string("sft"));
    QVERIFY(!beta->isVisible());
}

QTEST_MAIN(TestTrainStage)
#include "tst_trainstage.moc"
