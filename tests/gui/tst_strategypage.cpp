// The Strategy page on the real engine: the fixture tiny Llama's layer map, LoRA targets picked
// on the map (the trainable count is planTraining's and peft's r * (in + out) per target),
// freezing and unfreezing tiles by click and drag (the count changes, the TrainingSetup the
// Train page runs gets explicit freeze options), the advisor's rule, and a 32-block model.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "clusterrecipedialog.h"
#include "layermap.h"
#include "strategypage.h"
#include "studiosession.h"
#include "trainingsetup.h"

#include <ft/model.h>
#include <ft/modelstructure.h>

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLocale>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using ftui::LayerMap;
using ftui::StrategyPage;
using ftui::StudioSession;

namespace {

std::shared_ptr<ft::Model> openModel(const QString &path)
{
    return std::shared_ptr<ft::Model>(ft::Model::open(path.toStdString()).release());
}

int64_t planned(StudioSession &session)
{
    const ft::TrainingConfig config =
        session.trainingSetup()->buildConfig(session.modelPath(), QString());
    return ft::planTraining(config, *session.model()).trainableParameters;
}

const ft::PartTraining *part(const ft::TrainingPlan &plan, const std::string &id)
{
    for (const auto &p : plan.parts)
        if (p.id == id)
            return &p;
    return nullptr;
}

} // namespace

class TestStrategyPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loraTargetsOnTheMap();
    void freezeByClickAndDrag();
    void advisor();
    void clusterRecipe();
    void progressiveStages();
    void adapterCountsFromThePlan();
    void manyBlocksScroll();

private:
    QString m_fixture;
    std::shared_ptr<ft::Model> m_model;
};

void TestStrategyPage::initTestCase()
{
    FT_REQUIRE_FIXTURE(fixture, "tiny-random-llama-2-hf");
    m_fixture = fixture;
    m_model = openModel(m_fixture);
}

void TestStrategyPage::loraTargetsOnTheMap()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    StrategyPage page(&session);
    page.resize(1300, 860);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    auto *choice = page.findChild<QComboBox *>(QStringLiteral("strategyChoice"));
    QVERIFY(choice);
    choice->setCurrentIndex(choice->findData(QStringLiteral("lora")));
    QCOMPARE(session.trainingSetup()->settings().strategy, std::string("lora"));

    LayerMap *map = page.layerMap();
    // Add k_proj by clicking its chip on block 0's attention tile.
    const QRect chip = map->chipRect(QStringLiteral("block.0.attention"), QStringLiteral("k_proj"));
    QVERIFY2(!chip.isEmpty(), "k_proj chip drawn");
    QTest::mouseClick(map, Qt::LeftButton, {}, chip.center());
    const auto &targets = session.trainingSetup()->settings().lora.targetModules;
    QVERIFY(std::find(targets.begin(), targets.end(), "k_proj") != targets.end());
    QVERIFY(std::find(targets.begin(), targets.end(), "q_proj") != targets.end());
    QVERIFY(std::find(targets.begin(), targets.end(), "v_proj") != targets.end());

    // peft: each targeted Linear adds r * (in_features + out_features).
    const ft::ModelInfo &info = m_model->info();
    const int r = session.trainingSetup()->settings().lora.r;
    const int64_t h = info.hiddenSize;
    const int64_t kv = int64_t(info.numKvHeads) * info.headDim;
    const int64_t expected = int64_t(info.numLayers) * r * ((h + h) + (h + kv) + (h + kv));
    QCOMPARE(page.plan().trainableParameters, expected);
    QCOMPARE(planned(session), expected);
    QVERIFY2(page.summaryText().contains(QLocale().toString(qlonglong(expected))),
             qPrintable(page.summaryText()));

    // Clicking the chip again removes the target.
    QTest::mouseClick(map, Qt::LeftButton, {}, chip.center());
    QCOMPARE(page.plan().trainableParameters, int64_t(info.numLayers) * r * ((h + h) + (h + kv)));
    QCOMPARE(planned(session), page.plan().trainableParameters);
}

void TestStrategyPage::freezeByClickAndDrag()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    StrategyPage page(&session);
    page.resize(1300, 860);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    page.setStrategy(QStringLiteral("freeze"));  // the default: the last 2 blocks train
    const ft::ModelStructure structure = ft::describeModel(*m_model);
    int64_t blockParams = 0;
    int64_t mlp1 = 0;
    for (const auto &p : structure.parts) {
        if (p.block >= 0)
            blockParams += p.parameterCount;
        if (p.id == "block.1.mlp")
            mlp1 = p.parameterCount;
    }
    QCOMPARE(page.plan().trainableParameters, blockParams);

    // Click block 1's MLP: it freezes.
    LayerMap *map = page.layerMap();
    QTest::mouseClick(map, Qt::LeftButton, {}, map->partRect(QStringLiteral("block.1.mlp")).center());
    const ft::TrainingConfig &s = session.trainingSetup()->settings();
    QCOMPARE(s.strategy, std::string("freeze"));
    QCOMPARE(s.freeze.blockSelection, std::string("list"));
    QCOMPARE(page.plan().trainableParameters, blockParams - mlp1);
    QCOMPARE(planned(session), blockParams - mlp1);
    QVERIFY(!part(page.plan(), "block.1.mlp")->trainable);
    QVERIFY(part(page.plan(), "block.1.attention")->trainable);

    // Drag over block 0's attention and MLP tiles: they freeze too (the selection all trains).
    const QPoint from = map->partRect(QStringLiteral("block.0.attention")).center();
    const QPoint to = map->partRect(QStringLiteral("block.0.mlp")).center();
    QTest::mousePress(map, Qt::LeftButton, {}, from);
    QTest::mouseMove(map, to);
    QTest::mouseRelease(map, Qt::LeftButton, {}, to);
    int64_t block0AttnMlp = 0;
    for (const auto &p : structure.parts)
        if (p.id == "block.0.attention" || p.id == "block.0.mlp")
            block0AttnMlp += p.parameterCount;
    QCOMPARE(page.plan().trainableParameters, blockParams - mlp1 - block0AttnMlp);
    QCOMPARE(planned(session), page.plan().trainableParameters);

    // Unfreeze the embeddings with a click: an extra part.
    QTest::mouseClick(map, Qt::LeftButton, {}, map->partRect(QStringLiteral("embed")).center());
    const auto &extra = session.trainingSetup()->settings().freeze.extra;
    QVERIFY(std::find(extra.begin(), extra.end(), "embeddings") != extra.end());
    QVERIFY(part(page.plan(), "embed")->trainable);
    QCOMPARE(planned(session), page.plan().trainableParameters);
}

void TestStrategyPage::advisor()
{
    QCOMPARE(StrategyPage::advisedStrategy(5000), QStringLiteral("lora"));
    QCOMPARE(StrategyPage::advisedStrategy(99999), QStringLiteral("lora"));
    QCOMPARE(StrategyPage::advisedStrategy(500000), QStringLiteral("freeze"));
    QCOMPARE(StrategyPage::advisedStrategy(5000000), QStringLiteral("full"));

    StudioSession session;
    session.setModel(m_model, m_fixture);
    StrategyPage page(&session);
    page.setDatasetRows(2000);
    QVERIFY2(page.adviceText().contains(QStringLiteral("under 100k")), qPrintable(page.adviceText()));
    QVERIFY2(page.adviceText().contains(QStringLiteral("RAM")), qPrintable(page.adviceText()));
    page.setDatasetRows(3000000);
    QVERIFY2(page.adviceText().contains(QStringLiteral("several machines")), qPrintable(page.adviceText()));
    // The tiny model fits anywhere: the advice stays full, and applying it switches.
    page.findChild<QPushButton *>(QStringLiteral("applyAdvice"))->click();
    QCOMPARE(page.strategy(), QStringLiteral("full"));
    QCOMPARE(session.trainingSetup()->settings().strategy, std::string("full"));
    QCOMPARE(page.plan().trainableParameters, page.plan().totalParameters);
}

// Over 1M rows the advisor offers a cluster recipe; the dialog writes it with the engine's
// writeClusterRecipe (LLaMA-Factory YAML, data, DeepSpeed config) or says why it cannot.
void TestStrategyPage::clusterRecipe()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    StrategyPage page(&session);
    auto *offer = page.findChild<QPushButton *>(QStringLiteral("writeClusterRecipe"));
    QVERIFY(offer);
    page.setDatasetRows(2000);
    QVERIFY(offer->isHidden());
    page.setDatasetRows(3000000);
    QVERIFY(!offer->isHidden());

    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("rows.jsonl"));
    QFile f(data);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"instruction\": \"Say hi\", \"input\": \"\", \"output\": \"Hi\"}\n"
            "{\"instruction\": \"Say bye\", \"input\": \"\", \"output\": \"Bye\"}\n");
    f.close();
    session.trainingSetup()->setDataPath(data);
    ft::TrainingConfig config = session.trainingSetup()->buildConfig(session.modelPath(), QString());
    config.strategy = "full";
    config.templateName = "alpaca";
    ftui::ClusterRecipeDialog dialog(config);
    dialog.setFolder(dir.filePath(QStringLiteral("recipe")));
    dialog.setDeepSpeedIndex(2);
    dialog.startWriting();
    QVERIFY(dialog.isWriting() || dialog.result() == QDialog::Accepted);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isWriting(), 30000);
    QVERIFY2(dialog.result() == QDialog::Accepted, qPrintable(dialog.errorText()));
    QCOMPARE(dialog.recipe().trainRows, int64_t(2));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("recipe/ds_z3_config.json"))));
    QFile yaml(dir.filePath(QStringLiteral("recipe/train_full_sft.yaml")));
    QVERIFY(yaml.open(QIODevice::ReadOnly));
    const QByteArray text = yaml.readAll();
    QVERIFY2(text.contains("finetuning_type: \"full\"") && text.contains("deepspeed: \"ds_z3_config.json\""),
             text.constData());

    config.strategy = "ia3";
    ftui::ClusterRecipeDialog refused(config);
    refused.setFolder(dir.filePath(QStringLiteral("refused")));
    refused.startWriting();
    QTRY_VERIFY_WITH_TIMEOUT(!refused.isWriting(), 30000);
    QVERIFY(refused.result() != QDialog::Accepted);
    QVERIFY2(refused.errorText().contains(QStringLiteral("strategy")), qPrintable(refused.errorText()));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("refused"))));

    // Cancel while the rows are written: the dialog closes and leaves no folder, no temporary one.
    QFile many(data);
    QVERIFY(many.open(QIODevice::WriteOnly));
    for (int i = 0; i < 20000; ++i)
        many.write("{\"instruction\": \"Say hi\", \"input\": \"\", \"output\": \"Hi\"}\n");
    many.close();
    config.strategy = "full";
    ftui::ClusterRecipeDialog cancelled(config);
    cancelled.setFolder(dir.filePath(QStringLiteral("cancelled")));
    cancelled.startWriting();
    QVERIFY(cancelled.isWriting());
    cancelled.reject();
    QTRY_VERIFY_WITH_TIMEOUT(!cancelled.isWriting(), 30000);
    QCOMPARE(cancelled.result(), int(QDialog::Rejected));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("cancelled"))));
    const QStringList left = QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    QVERIFY2(!left.join(QLatin1Char(' ')).contains(QStringLiteral("tmp")), qPrintable(left.join(QLatin1Char(' '))));
}

void TestStrategyPage::progressiveStages()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    StrategyPage page(&session);
    page.setStrategy(QStringLiteral("progressive"));
    QVERIFY2(page.planError().isEmpty(), qPrintable(page.planError()));
    QCOMPARE(page.plan().strategy, std::string("progressive"));
    QCOMPARE(part(page.plan(), "block.1.attention")->stage, 0);  // the top block first
    QCOMPARE(part(page.plan(), "block.0.attention")->stage, 1);
    QCOMPARE(planned(session), page.plan().trainableParameters);
}

void TestStrategyPage::adapterCountsFromThePlan()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    StrategyPage page(&session);
    const ft::ModelInfo &info = m_model->info();
    const int64_t kv = int64_t(info.numKvHeads) * info.headDim;

    // IA3 with peft's Llama defaults: a vector of out_features on k_proj and v_proj, of
    // in_features on the feed-forward down_proj.
    page.setStrategy(QStringLiteral("ia3"));
    QVERIFY2(page.planError().isEmpty(), qPrintable(page.planError()));
    const int64_t ia3 = int64_t(info.numLayers) * (kv + kv + info.intermediateSize);
    QCOMPARE(page.plan().trainableParameters, ia3);
    QCOMPARE(planned(session), ia3);
    QCOMPARE(part(page.plan(), "block.0.attention")->adapterParameters, kv + kv);
    QCOMPARE(part(page.plan(), "block.0.mlp")->adapterParameters, int64_t(info.intermediateSize));
    QVERIFY(!part(page.plan(), "block.0.norms")->trainable);
    QVERIFY2(page.summaryText().contains(QLocale().toString(qlonglong(ia3))), qPrintable(page.summaryText()));

    // Prompt tuning: num_virtual_tokens x hidden, on the embeddings.
    page.setStrategy(QStringLiteral("prompt_tuning"));
    QVERIFY2(page.planError().isEmpty(), qPrintable(page.planError()));
    const int64_t prompt = int64_t(session.trainingSetup()->settings().promptTuning.numVirtualTokens) * info.hiddenSize;
    QCOMPARE(page.plan().trainableParameters, prompt);
    QCOMPARE(part(page.plan(), "embed")->adapterParameters, prompt);
    QVERIFY2(page.summaryText().contains(QLocale().toString(qlonglong(prompt))), qPrintable(page.summaryText()));
}

void TestStrategyPage::manyBlocksScroll()
{
    QTemporaryDir dir;
    fttest::TinyLlamaShape shape;
    shape.hidden = 32;
    shape.intermediate = 64;
    shape.layers = 32;
    const QString path = dir.filePath(QStringLiteral("deep"));
    fttest::writeTinyLlama(path.toStdString(), shape);
    StudioSession session;
    session.setModel(openModel(path), path);
    StrategyPage page(&session);
    page.resize(1300, 860);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    LayerMap *map = page.layerMap();
    auto *scroll = page.findChild<QScrollArea *>(QStringLiteral("layerMapScroll"));
    QVERIFY(map->height() > scroll->viewport()->height());  // scrolls instead of squeezing
    // Top to bottom, no overlaps: lm_head above block 31 above ... above the embeddings.
    int lastBottom = -1;
    QStringList order{QStringLiteral("lm_head"), QStringLiteral("final_norm")};
    for (int b = 31; b >= 0; --b)
        order << QStringLiteral("block.%1.attention").arg(b);
    order << QStringLiteral("embed");
    for (const QString &id : order) {
        const QRect r = map->partRect(id);
        QVERIFY2(!r.isEmpty(), qPrintable(id));
        QVERIFY2(r.top() > lastBottom, qPrintable(id));
        QVERIFY(r.height() >= 18);
        lastBottom = r.bottom();
    }
    QVERIFY(lastBottom < map->height());
}

QTEST_MAIN(TestStrategyPage)
#include "tst_strategypage.moc"
