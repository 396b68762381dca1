// Honest numbers before and during a run: estimateStepTime gives the Trainer's own step plan
// and a measured step time that is close to the steps a real run takes; tokens per second
// leave out the time a run stood paused.
#include "testfixtures.h"
#include "../gui/tinytrainablemodel.h"

#include "ft/trainer.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

namespace {

struct Fixture
{
    QTemporaryDir dir;
    ft::TrainingConfig config;

    Fixture()
    {
        fttest::TinyLlamaShape shape;
        shape.hidden = 128;
        shape.intermediate = 344;
        const std::string model = dir.filePath(QStringLiteral("model")).toStdString();
        fttest::writeTinyLlama(model, shape);
        nlohmann::json rows = nlohmann::json::array();
        for (int i = 0; i < 22; ++i)
            rows.push_back({{"instruction", "Write sentence number " + std::to_string(i) +
                                                " about rivers, forests and the weather."},
                            {"input", ""},
                            {"output", std::string(40 + 3 * i, 'a' + char(i % 26))}});
        const std::string data = dir.filePath(QStringLiteral("rows.json")).toStdString();
        std::ofstream(data) << rows.dump();
        config.model = model;
        config.data = data;
        config.templateName = "plain";
        config.outputDir = dir.filePath(QStringLiteral("run")).toStdString();
        config.perDeviceTrainBatchSize = 2;
        config.gradientAccumulationSteps = 3;
        config.numTrainEpochs = 2;
        config.valSize = 2;  // 20 training rows: 10 micro-batches, 4 steps per epoch
        config.cutoffLen = 128;
        config.saveSteps = 0;
        config.learningRate = 1e-3;
    }
};

class StepObserver : public ft::TrainingObserver
{
public:
    std::vector<ft::TrainingStepInfo> steps;
    std::function<void(const ft::TrainingStepInfo &)> onEach;
    void onStep(const ft::TrainingStepInfo &info) override
    {
        steps.push_back(info);
        if (onEach)
            onEach(info);
    }
};

} // namespace

class TestStepTime : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void planIsTheTrainers();
    void measuredStepIsCloseToARealStep();
    void pausedTimeIsNotWorkingTime();
};

void TestStepTime::planIsTheTrainers()
{
    Fixture f;
    const ft::StepTimeEstimate e = ft::estimateStepTime(f.config);
    QCOMPARE(e.examples, int64_t(20));
    QCOMPARE(e.validationExamples, int64_t(2));
    QCOMPARE(e.totalSteps, int64_t(8));  // ceil(10 / 3) = 4 per epoch, 2 epochs
    QCOMPARE(e.microBatchRows, int64_t(2));
    QVERIFY(e.microBatchTokens > 0);
    QCOMPARE(e.microBatchesPerStep, int64_t(3));
    QVERIFY(e.microBatchSeconds > 0);
    QCOMPARE(e.stepSeconds, e.microBatchSeconds * 3);
    QCOMPARE(e.runSeconds, e.stepSeconds * 8);
    // Nothing written: the probe is not a run.
    QVERIFY(!std::filesystem::exists(f.config.outputDir));
    // max_steps overrides the epochs, as in the run.
    f.config.maxSteps = 5;
    QCOMPARE(ft::estimateStepTime(f.config).totalSteps, int64_t(5));
}

void TestStepTime::measuredStepIsCloseToARealStep()
{
    Fixture f;
    const ft::StepTimeEstimate e = ft::estimateStepTime(f.config, 3);
    StepObserver observer;
    ft::Trainer trainer(f.config);
    const ft::TrainingResult result = trainer.run(&observer);
    QCOMPARE(result.steps, e.totalSteps);
    QCOMPARE(int64_t(observer.steps.size()), e.totalSteps);
    const double realStep = observer.steps.back().elapsedSeconds / double(result.steps);
    qInfo("estimated step %.4f s, real mean step %.4f s", e.stepSeconds, realStep);
    // Shared 2-core machines are noisy: the estimate must be the right size, not exact.
    QVERIFY2(e.stepSeconds > realStep / 4 && e.stepSeconds < realStep * 4,
             qPrintable(QStringLiteral("estimate %1 s, real %2 s").arg(e.stepSeconds).arg(realStep)));
}

void TestStepTime::pausedTimeIsNotWorkingTime()
{
    Fixture f;
    f.config.numTrainEpochs = 1;
    std::atomic<bool> pause{false};
    StepObserver observer;
    std::thread resumer;
    const double pauseSeconds = 1.5;
    observer.onEach = [&](const ft::TrainingStepInfo &info) {
        if (info.step != 2)
            return;
        pause = true;  // held before step 3, for pauseSeconds
        resumer = std::thread([&] {
            std::this_thread::sleep_for(std::chrono::duration<double>(pauseSeconds));
            pause = false;
        });
    };
    ft::Trainer trainer(f.config);
    const auto started = std::chrono::steady_clock::now();
    trainer.run(&observer, nullptr, &pause);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    resumer.join();
    QCOMPARE(int(observer.steps.size()), 4);
    const ft::TrainingStepInfo &last = observer.steps.back();
    QVERIFY2(wall >= pauseSeconds, "the run did wait");
    // Working time leaves the pause out: the run's elapsed time is less than the wall time by
    // about the pause, and tokens/s is over that working time.
    QVERIFY2(last.elapsedSeconds < wall - 0.8 * pauseSeconds,
             qPrintable(QStringLiteral("elapsed %1 s of %2 s wall").arg(last.elapsedSeconds).arg(wall)));
    QVERIFY(last.tokensPerSecond > 0);
    const double beforePause = observer.steps[1].tokensPerSecond;
    QVERIFY2(last.tokensPerSecond > 0.4 * beforePause,
             qPrintable(QStringLiteral("%1 tokens/s after the pause, %2 before")
                            .arg(last.tokensPerSecond).arg(beforePause)));
}

QTEST_APPLESS_MAIN(TestStepTime)
#include "tst_steptime.moc"
