// A run of several stages in one output_dir (config.stages): e.g. documents, then instructions.
// Each stage is a Trainer run in output_dir/stage-K-NAME that starts from the weights the
// previous stage trained (output_dir/stage-K-NAME/stage_weights, written when it finishes) with a
// fresh optimizer and schedule. Resume picks up where the run stopped: finished stages are
// skipped, an interrupted one continues from its latest checkpoint, a stage that had not written
// one starts again from the previous stage's weights.
#include "ft/error.h"
#include "ft/trainer.h"
#include "train/runfiles.h"

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

void copyFolder(const fs::path &from, const fs::path &to)
{
    writeFolderAtomically(to, [&](const fs::path &tmp) {
        fs::copy(from, tmp, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    });
}

fs::path stageFolder(const fs::path &runDir, size_t index, const TrainingStageSpec &spec)
{
    return runDir / ("stage-" + std::to_string(index + 1) + "-" + spec.stage);
}

} // namespace

TrainingConfig stageConfig(const TrainingConfig &config, size_t index, const fs::path &runDir)
{
    const TrainingStageSpec &spec = config.stages.at(index);
    TrainingConfig c = config;
    c.stages.clear();
    c.stage = spec.stage;
    c.data = spec.data;
    c.dataSplit = spec.dataSplit;
    c.evalSplit = spec.evalSplit;
    if (spec.numTrainEpochs > 0)
        c.numTrainEpochs = spec.numTrainEpochs;
    if (spec.maxSteps != 0)
        c.maxSteps = spec.maxSteps;
    if (spec.learningRate > 0)
        c.learningRate = spec.learningRate;
    c.outputDir = stageFolder(runDir, index, spec).string();
    return c;
}

TrainingResult runStages(const TrainingConfig &config, const fs::path &resumeRunDir, TrainingObserver *observer,
                         const std::atomic<bool> *stop, const std::atomic<bool> *pause)
{
    if (config.stages.empty())
        throw Error(ErrorKind::Internal, "runStages: the configuration has no stages");
    const fs::path runDir = resumeRunDir.empty() ? fs::path(config.outputDir) : resumeRunDir;
    std::error_code ec;
    fs::create_directories(runDir, ec);
    if (ec || !fs::is_directory(runDir))
        throwBadInput("output_dir: cannot create the folder " + runDir.string());
    if (resumeRunDir.empty()) {
        writeText(runDir / "training_config.json", config.toJson().dump(2) + "\n");
        // A new run: an earlier run's stages in this folder must not pass for finished ones.
        for (size_t k = 0; k < config.stages.size(); ++k)
            fs::remove_all(stageFolder(runDir, k, config.stages[k]), ec);
    }
    const auto log = [&](const std::string &text) {
        if (observer)
            observer->onLog(text);
    };
    fs::path previousWeights;
    TrainingResult result;
    for (size_t k = 0; k < config.stages.size(); ++k) {
        const TrainingConfig c = stageConfig(config, k, runDir);
        const fs::path dir = c.outputDir;
        const fs::path weights = dir / "stage_weights";
        const std::string name = "stage " + std::to_string(k + 1) + " of " + std::to_string(config.stages.size()) +
                                 " (" + c.stage + ", " + c.data + ")";
        if (fs::is_directory(weights)) {
            log(name + ": done earlier");
            previousWeights = weights;
            continue;
        }
        const bool resumable = !listCheckpoints(dir).empty();
        log(name + (resumable ? ": resuming" : ": starting"));
        Trainer trainer(c, resumable ? dir : fs::path(), observer);
        if (!resumable && !previousWeights.empty())
            trainer.startFrom(previousWeights);
        result = trainer.run(observer, stop, pause);
        if (result.stopped)
            return result;
        trainer.saveTrainedWeights(weights);
        previousWeights = weights;
    }
    // The last stage's result is the run's: `export --run output_dir` reads output_dir/final.
    copyFolder(stageFolder(runDir, config.stages.size() - 1, config.stages.back()) / "final", runDir / "final");
    result.finalDir = runDir / "final";
    log("wrote " + result.finalDir.string());
    return result;
}

} // namespace ft
