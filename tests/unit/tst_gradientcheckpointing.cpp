// Gradient checkpointing (run.json gradient_checkpointing) changes memory, never the result: every
// strategy logs the same step losses and gradient norms with it as without it, dropout included
// (the recomputed block replays the same random masks), and the memory estimate counts one block's
// activations instead of all of them.
#include "testfixtures.h"
#include "../gui/tinytrainablemodel.h"

#include "ft/error.h"
#include "ft/memoryestimate.h"
#include "ft/model.h"
#include "ft/trainer.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

namespace {

struct StepLog : ft::TrainingObserver
{
    std::vector<ft::TrainingStepInfo> steps;
    void onStep(const ft::TrainingStepInfo &info) override { steps.push_back(info); }
};

class Fixture
{
public:
    QTemporaryDir dir;
    std::string model, data;

    Fixture()
    {
        fttest::TinyLlamaShape shape;
        shape.layers = 3;
        model = dir.filePath(QStringLiteral("model")).toStdString();
        fttest::writeTinyLlama(model, shape);
        nlohmann::json rows = nlohmann::json::array();
        for (int i = 0; i < 8; ++i)
            rows.push_back({{"instruction", "Describe river number " + std::to_string(i) + "."},
                            {"input", ""},
                            {"output", std::string(20 + 5 * i, 'a' + char(i))}});
        data = dir.filePath(QStringLiteral("rows.json")).toStdString();
        std::ofstream(data) << rows.dump();
    }

    ft::TrainingConfig config(const std::string &strategy, const std::string &run) const
    {
        ft::TrainingConfig c;
        c.model = model;
        c.data = data;
        c.templateName = "plain";
        c.outputDir = dir.filePath(QString::fromStdString(run)).toStdString();
        c.strategy = strategy;
        c.perDeviceTrainBatchSize = 2;
        c.gradientAccumulationSteps = 2;
        c.numTrainEpochs = 2;  // 4 steps: later losses depend on the earlier updates
        c.cutoffLen = 64;
        c.saveSteps = 0;
        c.learningRate = 1e-2;
        c.warmupRatio = 0.0;
        c.lora.loraDropout = 0.1;  // the replayed masks must match
        c.device = "cpu";
        return c;
    }
};

std::vector<ft::TrainingStepInfo> trainSteps(const ft::TrainingConfig &config)
{
    StepLog log;
    ft::Trainer trainer(config);
    trainer.run(&log);
    return log.steps;
}

void compareRuns(const Fixture &f, const std::string &strategy,
                 const std::function<void(ft::TrainingConfig &)> &adjust = {})
{
    ft::TrainingConfig plain = f.config(strategy, strategy + "-plain");
    ft::TrainingConfig checkpointed = f.config(strategy, strategy + "-checkpointed");
    if (adjust) {
        adjust(plain);
        adjust(checkpointed);
    }
    checkpointed.gradientCheckpointing = true;
    const auto a = trainSteps(plain), b = trainSteps(checkpointed);
    QCOMPARE(a.size(), size_t(4));
    QCOMPARE(b.size(), a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        const auto near = [](double x, double y) { return std::abs(x - y) <= 1e-5 * (1.0 + std::abs(x)); };
        QVERIFY2(near(a[i].loss, b[i].loss),
                 qPrintable(QStringLiteral("%1 step %2: loss %3 without, %4 with checkpointing")
                                .arg(QString::fromStdString(strategy)).arg(i + 1)
                                .arg(a[i].loss, 0, 'g', 9).arg(b[i].loss, 0, 'g', 9)));
        QVERIFY2(near(a[i].gradNorm, b[i].gradNorm),
                 qPrintable(QStringLiteral("%1 step %2: grad norm %3 without, %4 with checkpointing")
                                .arg(QString::fromStdString(strategy)).arg(i + 1)
                                .arg(a[i].gradNorm, 0, 'g', 9).arg(b[i].gradNorm, 0, 'g', 9)));
        QVERIFY(a[i].gradNorm > 0.0);  // something trained
    }
}

} // namespace

class TestGradientCheckpointing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loraWithDropoutIsUnchanged() { Fixture f; compareRuns(f, "lora"); }
    void allLinearDoraIsUnchanged()
    {
        Fixture f;
        compareRuns(f, "lora", [](ft::TrainingConfig &c) {
            c.lora.targetModules.clear();
            c.lora.targetRegex = "all-linear";
            c.lora.useDora = true;
        });
    }
    void fullIsUnchanged() { Fixture f; compareRuns(f, "full"); }
    void freezeIsUnchanged()
    {
        Fixture f;  // the lowest blocks are frozen: they run once, without a graph
        compareRuns(f, "freeze", [](ft::TrainingConfig &c) { c.freeze.blockCount = 1; });
    }
    void ia3IsUnchanged() { Fixture f; compareRuns(f, "ia3"); }
    void promptTuningIsUnchanged() { Fixture f; compareRuns(f, "prompt_tuning"); }

    void runFileKeepsTheSetting()
    {
        Fixture f;
        ft::TrainingConfig c = f.config("lora", "run");
        QVERIFY(!c.toJson().contains("gradient_checkpointing"));
        c.gradientCheckpointing = true;
        const ft::TrainingConfig back = ft::parseTrainingConfig(c.toJson(), "run.json");
        QVERIFY(back.gradientCheckpointing);
        const nlohmann::json wrongType = {{"model", "m"}, {"data", "d"}, {"output_dir", "o"},
                                          {"gradient_checkpointing", "yes"}};
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::parseTrainingConfig(wrongType, "run.json"));
    }

    void estimateCountsOneBlock()
    {
        Fixture f;
        const auto model = ft::Model::open(f.model);
        ft::MemoryStrategy strategy;
        const ft::MemoryEstimate plain = ft::estimateTrainingMemory(model->info(), strategy, 4, 512);
        strategy.gradientCheckpointing = true;
        const ft::MemoryEstimate checkpointed = ft::estimateTrainingMemory(model->info(), strategy, 4, 512);
        QVERIFY(checkpointed.activations < plain.activations);
        QCOMPARE(checkpointed.weights, plain.weights);
        QCOMPARE(checkpointed.optimizer, plain.optimizer);
    }
};

QTEST_GUILESS_MAIN(TestGradientCheckpointing)
#include "tst_gradientcheckpointing.moc"
