// Votes to data: blind votes cast on the Compare page (a LoRA adapter trained 2 steps on a tiny
// Llama against its base) become a preference dataset in one click ("Make preference dataset
// from votes": the winner chosen, the other rejected, ties left out, every row in the train
// split), and one DPO step trains on that dataset (the reference: the base without the adapter);
// its rewards reach the Train page's preference charts.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "comparepage.h"
#include "preferencecharts.h"
#include "studiosession.h"
#include "trainingcharts.h"

#include <ft/model.h>
#include <ft/project.h>
#include <ft/ratingstore.h>
#include <ft/trainer.h>

#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <memory>

using ftui::ComparePage;
using ftui::StudioSession;

namespace {

constexpr int kTimeoutMs = 30000;

// The Train page's path for a step: TrainingWorker's observer turns stageMetrics into a point.
struct ChartObserver : ft::TrainingObserver
{
    QList<ftui::TrainingPoint> points;
    void onStep(const ft::TrainingStepInfo &info) override
    {
        ftui::TrainingPoint p;
        p.step = info.step;
        p.loss = info.loss;
        for (const auto &[name, value] : info.stageMetrics) {
            p.preference = true;
            if (name == "rewards/chosen")
                p.rewardsChosen = value;
            else if (name == "rewards/rejected")
                p.rewardsRejected = value;
            else if (name == "rewards/margins")
                p.rewardsMargin = value;
            else if (name == "rewards/accuracies")
                p.rewardsAccuracy = value;
        }
        points.append(p);
    }
};

} // namespace

class TestVotesToPreference : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void votesBecomeADatasetThatTrainsDpo();

private:
    QTemporaryDir m_dir;
    QString m_fixture;
    QString m_adapter;
    std::shared_ptr<ft::Model> m_model;
};

void TestVotesToPreference::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    m_fixture = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::writeTinyLlama(m_fixture.toStdString());
    nlohmann::json rows;
    std::ifstream(alpaca.toStdString()) >> rows;
    nlohmann::json picked = nlohmann::json::array();
    for (size_t i = 0; i < 8; ++i)
        picked.push_back(rows[i]);
    const QString data = m_dir.filePath(QStringLiteral("alpaca8.json"));
    std::ofstream(data.toStdString()) << picked.dump();

    ft::TrainingConfig config;
    config.model = m_fixture.toStdString();
    config.data = data.toStdString();
    config.outputDir = m_dir.filePath(QStringLiteral("sft")).toStdString();
    config.lora.targetModules = {"q_proj", "v_proj", "o_proj", "up_proj", "down_proj"};
    config.learningRate = 5e-2;
    config.maxSteps = 2;
    config.perDeviceTrainBatchSize = 2;
    config.gradientAccumulationSteps = 1;
    config.cutoffLen = 256;
    config.saveSteps = 0;
    try {
        ft::Trainer trainer(config);
        m_adapter = QString::fromStdString(trainer.run().finalDir.string());
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    m_model = std::shared_ptr<ft::Model>(ft::Model::open(m_fixture.toStdString()).release());
}

void TestVotesToPreference::votesBecomeADatasetThatTrainsDpo()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    ComparePage page(&session);
    page.setErrorDisplay(ComparePage::ErrorDisplay::SignalOnly);
    const QString project = m_dir.filePath(QStringLiteral("votes.ftproj"));
    page.setProjectFile(project);
    page.resize(1300, 800);
    page.show();
    page.addRun(QStringLiteral("sft"), m_adapter);
    QVERIFY(page.setTunedFolder(m_adapter));
    page.findChild<QDoubleSpinBox *>(QStringLiteral("compareTemperature"))->setValue(0.0);
    page.findChild<QSpinBox *>(QStringLiteral("compareMaxTokens"))->setValue(12);
    page.setBlind(true);

    // Nothing voted yet: the button says so.
    QSignalSpy errors(&page, &ComparePage::errorOccurred);
    QVERIFY(page.makePreferenceDataset().isEmpty());
    QCOMPARE(errors.count(), 1);

    // Three blind rounds: A, B, tie.
    QSignalSpy finished(&page, &ComparePage::comparisonFinished);
    const QStringList prompts = {QStringLiteral("Name a fruit."), QStringLiteral("Say hello."),
                                 QStringLiteral("Count to three.")};
    const QStringList votes = {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("tie")};
    for (int i = 0; i < 3; ++i) {
        page.setPrompt(prompts[i]);
        page.compare();
        QVERIFY(finished.wait(kTimeoutMs));
        QVERIFY(page.leftText() != page.rightText());
        QVERIFY(page.vote(votes[i]));
    }

    QSignalSpy created(&page, &ComparePage::preferenceDatasetCreated);
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("makePreferenceDataset")), Qt::LeftButton);
    QCOMPARE(created.count(), 1);
    const QString name = created.at(0).at(0).toString();
    QVERIFY2(name.startsWith(QStringLiteral("votes sft ")), qPrintable(name));
    m_model->detachAdapter();

    // The dataset: two pairs, the winners chosen, all in the train split.
    {
        ft::ProjectStore store(project.toStdString(), true);
        const ft::DatasetInfo info = store.dataset(name.toStdString());
        QCOMPARE(info.format, std::string("preference"));
        QCOMPARE(info.rowCount, int64_t(2));
        QCOMPARE(store.splitCounts(info.id).train, int64_t(2));
        const auto rated = ft::ratedComparisons(store);
        for (int i = 0; i < 2; ++i) {
            const ft::ProjectRow row = store.row(info.id, i);
            QCOMPARE(row.kind, ft::RowKind::Preference);
            const bool tunedWon = rated[i].verdict == "tuned";
            QCOMPARE(row.original["chosen"].get<std::string>(), tunedWon ? rated[i].tunedOutput : rated[i].baseOutput);
            QCOMPARE(row.original["rejected"].get<std::string>(), tunedWon ? rated[i].baseOutput : rated[i].tunedOutput);
            QCOMPARE(QString::fromStdString(row.messages.front().content), prompts[i]);
        }
    }

    // One DPO step on it; the rewards reach the preference charts.
    ft::TrainingConfig config;
    config.model = m_fixture.toStdString();
    config.data = project.toStdString() + "#" + name.toStdString();
    config.outputDir = m_dir.filePath(QStringLiteral("dpo")).toStdString();
    config.stage = "dpo";
    config.lora.loraDropout = 0.0;
    config.learningRate = 1e-2;
    config.warmupRatio = 0.0;  // the first step updates
    config.maxSteps = 2;
    config.perDeviceTrainBatchSize = 2;
    config.gradientAccumulationSteps = 1;
    config.cutoffLen = 256;
    config.saveSteps = 0;
    config.loggingSteps = 1;
    ChartObserver observer;
    try {
        ft::Trainer trainer(config, {}, &observer);
        QCOMPARE(trainer.exampleCount(), int64_t(2));
        QCOMPARE(trainer.run(&observer).steps, int64_t(2));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    QCOMPARE(observer.points.size(), 2);
    QVERIFY(observer.points[0].preference);
    QVERIFY(std::abs(observer.points[0].rewardsChosen) < 1e-5);  // the first step's policy is the reference
    QVERIFY(observer.points[1].rewardsMargin > 0.0);  // the first step moved towards the winners
    QVERIFY(observer.points[1].loss < observer.points[0].loss);
    ftui::TrainingCharts charts;
    charts.appendPoints(observer.points);
    QVERIFY(!charts.preferenceCharts()->isHidden());
    QCOMPARE(charts.preferenceCharts()->pointCount(), 2);
}

QTEST_MAIN(TestVotesToPreference)
#include "tst_votestopreference.moc"
