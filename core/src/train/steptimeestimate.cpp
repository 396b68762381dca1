// estimateStepTime: a Trainer built from the configuration (the real data, plan and strategy)
// times its first micro-batch; a step does gradient_accumulation_steps of them (fewer when an
// epoch has fewer micro-batches).
#include "ft/trainer.h"

#include <algorithm>
#include <vector>

namespace ft {

StepTimeEstimate estimateStepTime(const TrainingConfig &config, int timedPasses)
{
    TrainingConfig probe = config;
    probe.outputDir.clear();  // nothing is written
    Trainer trainer(probe);
    StepTimeEstimate e;
    e.totalSteps = trainer.totalSteps();
    e.examples = trainer.exampleCount();
    e.validationExamples = trainer.validationCount();
    trainer.timeFirstMicroBatch();  // warm-up: first allocations, OpenMP threads
    std::vector<double> seconds;
    Trainer::MicroBatchTiming timing;
    for (int i = 0; i < std::max(1, timedPasses); ++i) {
        timing = trainer.timeFirstMicroBatch();
        seconds.push_back(timing.seconds);
    }
    std::sort(seconds.begin(), seconds.end());
    e.microBatchSeconds = seconds[seconds.size() / 2];
    e.microBatchRows = timing.rows;
    e.microBatchTokens = timing.tokens;
    const int64_t perEpoch =
        (e.examples + config.perDeviceTrainBatchSize - 1) / config.perDeviceTrainBatchSize;
    e.microBatchesPerStep = std::max<int64_t>(
        1, std::min<int64_t>(config.gradientAccumulationSteps, std::max<int64_t>(1, perEpoch)));
    e.stepSeconds = e.microBatchSeconds * double(e.microBatchesPerStep);
    e.runSeconds = e.stepSeconds * double(e.totalSteps);
    return e;
}

} // namespace ft
