// The Compare page on the real engine: a LoRA adapter trained for 2 steps on a tiny Llama
// (tinytrainablemodel.h: the fixture tiny-random-llama-2-hf pairs a 3000-token model with the
// 32000-token Llama tokenizer, so it cannot take Alpaca text), attached to the session's model (one copy of the base weights); base and tuned answer
// the same prompt side by side (streamed, the same as ft::generate with and without the adapter,
// and different from each other); a blind vote is stored in the project and read back; cancel;
// rows of the project's validation split as prompts, with their answer as the reference.

#include "../unit/testfixtures.h"
#include "tinytrainablemodel.h"

#include "comparepage.h"
#include "studiosession.h"

#include <ft/generation.h>
#include <ft/model.h>
#include <ft/project.h>
#include <ft/ratingstore.h>
#include <ft/tokenizer.h>
#include <ft/trainer.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <memory>

using ftui::ComparePage;
using ftui::StudioSession;

namespace {

constexpr int kTimeoutMs = 30000;
const char kPrompt[] = "Give three tips for staying healthy.";

std::string generateDirect(const ft::Model &model, bool useAdapter, int maxTokens,
                           const std::string &prompt = kPrompt)
{
    ft::GenerationOptions options;
    options.maxNewTokens = maxTokens;
    options.temperature = 0.0f;
    options.seed = 42;
    options.useAdapter = useAdapter;
    // The page shows the streamed pieces; collect them the same way.
    std::string streamed;
    options.onToken = [&](int32_t, const std::string &piece) {
        streamed += piece;
        return true;
    };
    ft::generate(model, model.tokenizer()->encode(prompt, true), options);
    return streamed;
}

} // namespace

class TestComparePage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void compareAndVoteBlind();
    void blindNeverRepeatsTheUnblindedPair();
    void cancelStops();
    void badFolderIsReported();
    void validationRowsAsPrompts();
    void chinesePrompt();

private:
    QTemporaryDir m_dir;
    QString m_fixture;
    QString m_adapter;
    std::shared_ptr<ft::Model> m_model;
};

void TestComparePage::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    FT_REQUIRE_FIXTURE(alpaca, "datasets/alpaca_en_demo.json");
    m_fixture = m_dir.filePath(QStringLiteral("tiny-llama"));
    fttest::writeTinyLlama(m_fixture.toStdString());
    const QString fixture = m_fixture;
    nlohmann::json rows;
    std::ifstream(alpaca.toStdString()) >> rows;
    nlohmann::json picked = nlohmann::json::array();
    for (size_t i = 0; i < 8; ++i)
        picked.push_back(rows[i]);
    const QString data = m_dir.filePath(QStringLiteral("alpaca8.json"));
    std::ofstream(data.toStdString()) << picked.dump();

    // The adapter: 2 LoRA steps with a large learning rate, so that the answers differ.
    ft::TrainingConfig config;
    config.model = fixture.toStdString();
    config.data = data.toStdString();
    config.outputDir = m_dir.filePath(QStringLiteral("run")).toStdString();
    config.strategy = "lora";
    config.lora.targetModules = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                 "down_proj"};
    config.learningRate = 5e-2;
    config.maxSteps = 2;
    config.perDeviceTrainBatchSize = 2;
    config.gradientAccumulationSteps = 1;
    config.cutoffLen = 256;
    config.saveSteps = 0;
    ft::TrainingResult result;
    try {
        ft::Trainer trainer(config);
        result = trainer.run();
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    QCOMPARE(result.steps, int64_t(2));
    m_adapter = QString::fromStdString(result.finalDir.string());
    QVERIFY(QFileInfo::exists(m_adapter + QStringLiteral("/adapter_config.json")));
    m_model = std::shared_ptr<ft::Model>(ft::Model::open(fixture.toStdString()).release());
}

void TestComparePage::compareAndVoteBlind()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    ComparePage page(&session);
    page.setErrorDisplay(ComparePage::ErrorDisplay::SignalOnly);
    const QString project = m_dir.filePath(QStringLiteral("ratings.ftproj"));
    page.setProjectFile(project);
    page.resize(1300, 800);
    page.show();

    page.addRun(QStringLiteral("run"), m_adapter);
    QVERIFY(page.setTunedFolder(m_adapter));
    QVERIFY(m_model->hasAdapter());
    QCOMPARE(QString::fromStdString(m_model->adapterType()), QStringLiteral("LORA"));

    page.findChild<QDoubleSpinBox *>(QStringLiteral("compareTemperature"))->setValue(0.0);
    page.findChild<QSpinBox *>(QStringLiteral("compareMaxTokens"))->setValue(24);
    page.findChild<QSpinBox *>(QStringLiteral("compareSeed"))->setValue(42);
    page.setPrompt(QString::fromLatin1(kPrompt));
    page.setBlind(true);

    auto *left = page.findChild<QPlainTextEdit *>(QStringLiteral("leftOutput"));
    int leftUpdates = 0;
    connect(left, &QPlainTextEdit::textChanged, this, [&] { ++leftUpdates; });
    QSignalSpy finished(&page, &ComparePage::comparisonFinished);
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("compareButton")), Qt::LeftButton);
    QVERIFY(page.isGenerating());
    QVERIFY(finished.wait(kTimeoutMs));
    QVERIFY(leftUpdates >= 1);

    const QString base = page.tunedOnLeft() ? page.rightText() : page.leftText();
    const QString tuned = page.tunedOnLeft() ? page.leftText() : page.rightText();
    QVERIFY(!base.isEmpty());
    QVERIFY(!tuned.isEmpty());
    QVERIFY2(base != tuned, qPrintable(base));
    // The same as the engine's own generation with and without the adapter (no chat template).
    QVERIFY(!m_model->info().hasChatTemplate);
    QCOMPARE(base, QString::fromStdString(generateDirect(*m_model, false, 24)));
    QCOMPARE(tuned, QString::fromStdString(generateDirect(*m_model, true, 24)));

    // Vote "A better" with a note; it is stored with both outputs and the tuned side.
    page.findChild<QLineEdit *>(QStringLiteral("voteNote"))->setText(QStringLiteral("clearer"));
    QSignalSpy stored(&page, &ComparePage::voteStored);
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("voteA")), Qt::LeftButton);
    QCOMPARE(stored.count(), 1);
    QVERIFY(!page.findChild<QPushButton *>(QStringLiteral("voteA"))->isEnabled());

    ft::ProjectStore store(project.toStdString(), true);
    const auto rated = ft::ratedComparisons(store);
    QCOMPARE(int(rated.size()), 1);
    QCOMPARE(QString::fromStdString(rated[0].prompt), QString::fromLatin1(kPrompt));
    QCOMPARE(QString::fromStdString(rated[0].baseOutput), base);
    QCOMPARE(QString::fromStdString(rated[0].tunedOutput), tuned);
    QCOMPARE(rated[0].tunedSide, std::string(page.tunedOnLeft() ? "A" : "B"));
    QCOMPARE(rated[0].verdict, std::string(page.tunedOnLeft() ? "tuned" : "base"));
    QCOMPARE(rated[0].note, std::string("clearer"));
    // Blind: the stored seed is the fresh one the answers came from, not the seed box's.
    QCOMPARE(rated[0].settings.value("seed", quint64(0)), page.lastSeed());
    QVERIFY(page.lastSeed() != 42);
    QCOMPARE(rated[0].settings.value("seed_hidden", false), true);
    const ft::WinRate rate = ft::winRate(store);
    QCOMPARE(rate.total(), int64_t(1));
    QCOMPARE(page.winRate().wins, rate.wins);
    QVERIFY2(page.winRateText().contains(QStringLiteral("Tuned wins %1").arg(rate.wins)),
             qPrintable(page.winRateText()));

    // A second round, a tie: the win rate counts it.
    QVERIFY(finished.count() == 1);
    page.compare();
    QVERIFY(finished.wait(kTimeoutMs));
    QVERIFY(page.vote(QStringLiteral("tie")));
    QCOMPARE(page.winRate().ties, int64_t(1));
    QCOMPARE(page.winRate().total(), int64_t(2));
    m_model->detachAdapter();
}

// What an expert reads unblinded must not come back as the blind pair: sampling with a fresh
// seed gives other answers (the same as the engine's with that seed), and at temperature 0, where
// the seed does not matter, a prompt already shown unblinded is refused.
void TestComparePage::blindNeverRepeatsTheUnblindedPair()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    ComparePage page(&session);
    page.setErrorDisplay(ComparePage::ErrorDisplay::SignalOnly);
    page.setProjectFile(m_dir.filePath(QStringLiteral("blind.ftproj")));
    QVERIFY(page.setTunedFolder(m_adapter));
    page.findChild<QDoubleSpinBox *>(QStringLiteral("compareTemperature"))->setValue(0.9);
    page.findChild<QSpinBox *>(QStringLiteral("compareMaxTokens"))->setValue(24);
    page.findChild<QSpinBox *>(QStringLiteral("compareSeed"))->setValue(42);
    page.setPrompt(QString::fromLatin1(kPrompt));
    QSignalSpy finished(&page, &ComparePage::comparisonFinished);
    QSignalSpy errors(&page, &ComparePage::errorOccurred);

    page.compare();  // unblinded: base left, tuned right, seed 42
    QVERIFY(finished.wait(kTimeoutMs));
    QCOMPARE(page.lastSeed(), quint64(42));
    const QString seenBase = page.leftText(), seenTuned = page.rightText();

    page.setBlind(true);
    page.compare();
    QVERIFY(finished.wait(kTimeoutMs));
    QVERIFY(errors.isEmpty());
    const quint64 seed = page.lastSeed();
    QVERIFY(seed != 42);
    const QString blindBase = page.tunedOnLeft() ? page.rightText() : page.leftText();
    const QString blindTuned = page.tunedOnLeft() ? page.leftText() : page.rightText();
    QVERIFY2(blindBase != seenBase, qPrintable(blindBase));
    QVERIFY2(blindTuned != seenTuned, qPrintable(blindTuned));
    // The blind answers are the engine's own with the fresh seed.
    auto sample = [&](bool adapter) {
        ft::GenerationOptions options;
        options.maxNewTokens = 24;
        options.temperature = 0.9f;
        options.seed = seed;
        options.useAdapter = adapter;
        std::string text;
        options.onToken = [&](int32_t, const std::string &piece) {
            text += piece;
            return true;
        };
        ft::generate(*m_model, m_model->tokenizer()->encode(kPrompt, true), options);
        return QString::fromStdString(text);
    };
    QCOMPARE(blindBase, sample(false));
    QCOMPARE(blindTuned, sample(true));
    QVERIFY(page.vote(QStringLiteral("B")));
    ft::ProjectStore store(page.projectFile().toStdString(), true);
    QCOMPARE(ft::ratedComparisons(store).at(0).settings.value("seed", quint64(0)), seed);

    // Greedy: the seed changes nothing, so a prompt seen unblinded cannot be tested blind.
    page.findChild<QDoubleSpinBox *>(QStringLiteral("compareTemperature"))->setValue(0.0);
    page.compare();
    QVERIFY(!page.isGenerating());
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.constFirst().constFirst().toString().contains(QLatin1String("temperature")),
             qPrintable(errors.constFirst().constFirst().toString()));
    m_model->detachAdapter();
}

void TestComparePage::cancelStops()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    ComparePage page(&session);
    page.setErrorDisplay(ComparePage::ErrorDisplay::SignalOnly);
    page.setProjectFile(m_dir.filePath(QStringLiteral("cancel.ftproj")));
    QVERIFY(page.setTunedFolder(m_adapter));
    page.findChild<QSpinBox *>(QStringLiteral("compareMaxTokens"))->setValue(200);
    page.setPrompt(QString::fromLatin1(kPrompt));
    QSignalSpy finished(&page, &ComparePage::comparisonFinished);
    page.compare();
    QVERIFY(page.isGenerating());
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("cancelCompare")), Qt::LeftButton);
    QVERIFY(finished.wait(kTimeoutMs));
    QVERIFY(!page.isGenerating());
    m_model->detachAdapter();
}

void TestComparePage::badFolderIsReported()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    ComparePage page(&session);
    page.setErrorDisplay(ComparePage::ErrorDisplay::SignalOnly);
    QSignalSpy errors(&page, &ComparePage::errorOccurred);
    QVERIFY(!page.setTunedFolder(m_dir.path()));
    QCOMPARE(errors.count(), 1);
    QVERIFY(!page.hasTuned());
}

void TestComparePage::validationRowsAsPrompts()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    ComparePage page(&session);
    page.setErrorDisplay(ComparePage::ErrorDisplay::SignalOnly);
    page.resize(1300, 800);
    page.show();
    auto *picker = page.findChild<QComboBox *>(QStringLiteral("validationRows"));
    QVERIFY(picker);
    // No project: the picker says so and is disabled.
    QVERIFY(!picker->isEnabled());
    QVERIFY2(picker->currentText().contains(QStringLiteral("Open a project")),
             qPrintable(picker->currentText()));
    QCOMPARE(page.validationRowCount(), 0);

    // A project whose dataset is not split yet: still disabled, saying why.
    const QString project = m_dir.filePath(QStringLiteral("splits.ftproj"));
    int64_t datasetId = 0;
    {
        ft::ProjectStore store(project.toStdString());
        auto writer = store.beginDataset({"qa", "generated", "messages", nlohmann::json::object(), "h"});
        ft::NewRow row;
        row.source = "generated";
        for (int i = 0; i < 20; ++i) {
            const std::string n = std::to_string(i);
            row.original = {{"i", i}};
            row.messages = {{"user", "Question " + n + "?"}, {"assistant", "Answer " + n + "."}};
            if (i % 2 == 1)  // multi-turn: the prompt is every user turn before the last answer
                row.messages.insert(row.messages.end(), {{"user", "And then " + n + "?"},
                                                         {"assistant", "Then " + n + "."}});
            writer->addRow(row);
        }
        datasetId = writer->commit().id;
    }
    session.setProjectPath(project);
    QVERIFY(!picker->isEnabled());
    QVERIFY2(picker->currentText().contains(QStringLiteral("No validation rows")),
             qPrintable(picker->currentText()));

    // Split: the validation rows are offered, in the dataset's order.
    QStringList prompts, answers;
    {
        ft::ProjectStore store(project.toStdString(), true);
        store.assignSplits(datasetId, {0.3, 0.0, 42, false});
        store.forEachRow(datasetId, [&](const ft::ProjectRow &row) {
            if (row.split == "validation") {
                const std::string last = row.messages.size() == 4 ? row.messages[2].content : "";
                prompts << QString::fromStdString(row.messages[0].content +
                                                  (last.empty() ? "" : "\n\n" + last));
                answers << QString::fromStdString(row.messages.back().content);
            }
            return true;
        });
    }
    QVERIFY(prompts.size() >= 2);
    page.refreshValidationRows();
    QVERIFY(picker->isEnabled());
    QCOMPARE(page.validationRowCount(), int(prompts.size()));

    // A person picks the first row with the keyboard: the prompt is that row's, its answer shown.
    picker->setFocus();
    QTest::keyClick(picker, Qt::Key_Down);
    QCOMPARE(picker->currentIndex(), 1);
    QCOMPARE(page.prompt(), prompts[0]);
    QCOMPARE(page.referenceText(), answers[0]);
    auto *reference = page.findChild<QPlainTextEdit *>(QStringLiteral("referenceAnswer"));
    QVERIFY(reference && reference->isVisibleTo(&page));
    QCOMPARE(reference->toPlainText(), answers[0]);
    for (int i = 0; i < prompts.size(); ++i) {
        QVERIFY(page.chooseValidationRow(i));
        QCOMPARE(page.prompt(), prompts[i]);
        QCOMPARE(page.referenceText(), answers[i]);
    }
    QVERIFY(!page.chooseValidationRow(int(prompts.size())));

    // Base and tuned answer the row's prompt; the reference stays beside them.
    QVERIFY(page.setTunedFolder(m_adapter));
    page.findChild<QSpinBox *>(QStringLiteral("compareMaxTokens"))->setValue(8);
    QSignalSpy finished(&page, &ComparePage::comparisonFinished);
    page.compare();
    QVERIFY(finished.wait(kTimeoutMs));
    QVERIFY(!page.leftText().isEmpty() && !page.rightText().isEmpty());
    QCOMPARE(page.referenceText(), answers.last());

    // Typing over the prompt makes it a free prompt again: no reference.
    auto *promptEdit = page.findChild<QPlainTextEdit *>(QStringLiteral("comparePrompt"));
    promptEdit->setFocus();
    QTest::keyClicks(promptEdit, QStringLiteral(" more"));
    QCOMPARE(picker->currentIndex(), 0);
    QVERIFY(page.referenceText().isEmpty());
    QVERIFY(!reference->isVisibleTo(&page));
    m_model->detachAdapter();
}

// A Chinese prompt (the Chinese users' case): both sides are the engine's own answers to its
// UTF-8 text, and the vote stores the prompt as typed.
void TestComparePage::chinesePrompt()
{
    StudioSession session;
    session.setModel(m_model, m_fixture);
    ComparePage page(&session);
    page.setErrorDisplay(ComparePage::ErrorDisplay::SignalOnly);
    page.setProjectFile(m_dir.filePath(QStringLiteral("chinese.ftproj")));
    QVERIFY(page.setTunedFolder(m_adapter));
    page.findChild<QDoubleSpinBox *>(QStringLiteral("compareTemperature"))->setValue(0.0);
    page.findChild<QSpinBox *>(QStringLiteral("compareMaxTokens"))->setValue(16);
    const QString prompt = QStringLiteral("请给出三条保持健康的建议。");
    page.setPrompt(prompt);
    QSignalSpy finished(&page, &ComparePage::comparisonFinished);
    page.compare();
    QVERIFY(finished.wait(kTimeoutMs));
    const std::string utf8 = prompt.toStdString();
    QCOMPARE(page.leftText(), QString::fromStdString(generateDirect(*m_model, false, 16, utf8)));
    QCOMPARE(page.rightText(), QString::fromStdString(generateDirect(*m_model, true, 16, utf8)));
    QVERIFY(page.vote(QStringLiteral("A")));
    ft::ProjectStore store(page.projectFile().toStdString(), true);
    QCOMPARE(QString::fromStdString(ft::ratedComparisons(store).at(0).prompt), prompt);
    m_model->detachAdapter();
}

QTEST_MAIN(TestComparePage)
#include "tst_comparepage.moc"
