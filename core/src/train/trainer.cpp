// The Trainer loop: a stage's batch source (trainerdata.cpp: sft rows or pt documents, tokenized
// and planned into micro-batches; trainerpreference.cpp: dpo / orpo pairs) and its loss
// (train/flatbatch.h; train/preferenceloss.h), stepped through gradient
// accumulation, evaluation, logging and checkpoints. What trains is up to the strategy
// (train/trainablestrategy.h). See docs/training.md.
#include "ft/trainer.h"

#include "dist/dataparallel.h"
#include "dist/zerostage1.h"
#include "ft/error.h"
#include "ft/jsonparse.h"
#include "ft/model.h"
#include "ft/project.h"
#include "model/modelimpl.h"
#include "model/gemmprofile.h"
#include "train/accumulatedstep.h"
#include "train/autocastscope.h"
#include "train/devicemove.h"
#include "train/earlystopping.h"
#include "train/flatbatch.h"
#include "train/lrschedule.h"
#include "train/metricslog.h"
#include "train/opprofile.h"
#include "train/optimizergroups.h"
#include "train/preferencestep.h"
#include "train/runenvironment.h"
#include "train/runfiles.h"
#include "train/trainerimpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <cmath>
#include <thread>

#include <malloc.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

// Run options that are valid on their own but not for this model, found before anything is
// allocated for them.
void checkAgainstModel(const TrainingConfig &c, const ModelInfo &info, std::vector<std::string> &problems)
{
    if (c.strategy == "lora" && c.lora.r > info.hiddenSize)
        problems.push_back("lora.r: " + std::to_string(c.lora.r) + " is larger than the model's hidden size " +
                           std::to_string(info.hiddenSize) + " (a rank that high learns nothing a full update would not)");
    if (c.strategy == "prompt_tuning" && info.contextLength > 0 &&
        c.promptTuning.numVirtualTokens >= info.contextLength)
        problems.push_back("prompt_tuning.num_virtual_tokens: " + std::to_string(c.promptTuning.numVirtualTokens) +
                           " leaves no room in the model's context of " + std::to_string(info.contextLength) +
                           " tokens");
}

// The run folder, or BadInput naming it (a file in the way, no permission, a name too long).
void createOutputFolder(const fs::path &dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throwBadInput("output_dir: cannot create the folder " + textExcerpt(dir.string(), 120) + " (" +
                      (ec ? ec.message() : std::string("a file of that name is in the way")) + ")");
}

} // namespace

Trainer::Trainer(TrainingConfig config, const fs::path &resumeRunDir, TrainingObserver *observer)
    : m_impl(std::make_unique<Impl>())
{
    Impl &d = *m_impl;
    d.config = std::move(config);
    d.outDir = resumeRunDir.empty() ? fs::path(d.config.outputDir) : resumeRunDir;
    if (!resumeRunDir.empty())
        d.resumeFrom = latestCheckpoint(resumeRunDir);
    d.readLaunch(resumeRunDir);

    std::vector<std::string> problems;
    {
        std::string problem;
        d.device = resolveDevice(d.config.device, problem);
        if (!problem.empty())  // before the model loads: nothing to wait for
            throwBadInput(joinProblems("training configuration", {problem}));
    }
    try {
        LoadOptions options;
        options.requireTokenizer = true;
        options.basePrecision = parseBasePrecision(d.config.basePrecision).value_or(BasePrecision::Fp32);
        d.model = Model::open(d.config.model, options);
    } catch (const Error &e) {
        problems.push_back(std::string("model: ") + e.what());
    }
    if (d.model && d.device == "cuda") {
        // Before the strategy attaches adapters, which are made on their base's device; a
        // compact base's storage moves too (model/frozenmatrix.h's tensor storage).
        moveWeightsTo(d.model->impl().weights, torch::Device(torch::kCUDA));
    } else if (d.model && std::getenv("FT_TEST_TENSOR_DEQUANT")) {
        // Tests only: the CUDA path's tensor-op dequantisation, run on the CPU.
        moveCompactBaseTo(d.model->impl().weights, torch::Device(torch::kCPU));
    }
    if (d.model)
        checkAgainstModel(d.config, d.model->info(), problems);
    if (d.model && problems.empty()) {
        d.loadData(problems);
        torch::manual_seed(d.config.seed);
        d.strategy = makeTrainableStrategy(d.config, *d.model, problems);
        d.model->impl().decoder->setCheckpointBlocks(d.config.gradientCheckpointing);
    }
    if (problems.empty())
        d.joinProcessGroup(problems);
    if (!problems.empty())
        throwBadInput(joinProblems("training configuration", problems));

    d.planBatches();
    d.log(observer, deviceLogLine(d.config.device, d.device));
    for (const auto &line : d.dataLog)
        d.log(observer, line);
}

Trainer::~Trainer() = default;

const TrainingConfig &Trainer::config() const { return m_impl->config; }
int64_t Trainer::totalSteps() const { return m_impl->totalSteps; }
int64_t Trainer::exampleCount() const { return static_cast<int64_t>(m_impl->examples.size()); }
int64_t Trainer::badRowCount() const { return m_impl->badRows; }
int64_t Trainer::validationCount() const { return static_cast<int64_t>(m_impl->evalExamples.size()); }
const std::vector<int64_t> &Trainer::trainRowIds() const { return m_impl->trainRowIds; }
const std::vector<int64_t> &Trainer::evalRowIds() const { return m_impl->evalRowIds; }


void Trainer::Impl::writeRunFiles() const
{
    createOutputFolder(outDir);
    writeText(outDir / "training_config.json", config.toJson().dump(2) + "\n");
    writeText(outDir / "environment.json", environmentJson(device).dump(2) + "\n");
    if (parseProjectDataset(config.data))  // which project rows this run trains and evaluates on
        writeText(outDir / "data_rows.json",
                  json{{"data", config.data}, {"train_row_ids", trainRowIds}, {"eval_row_ids", evalRowIds}}
                          .dump() +
                      "\n");
    if (!evalExamples.empty()) {
        // The held-out rows as evaluated (data row index, token ids, labels with -100).
        std::string text;
        for (size_t i = 0; i < evalExamples.size(); ++i)
            text += json{{"row", evalRows[i]}, {"input_ids", evalExamples[i].ids}, {"labels", evalExamples[i].labels}}
                        .dump() +
                    "\n";
        writeText(outDir / "validation_set.jsonl", text);
    }
}

namespace {

// Waits while *pause is set (checking stop every 50 ms); the time paused is added to `started`
// so that rates ignore it.
void waitWhilePaused(const std::atomic<bool> *pause, const std::atomic<bool> *stop, int64_t step,
                     std::chrono::steady_clock::time_point &started,
                     const std::function<void(const std::string &)> &log)
{
    if (!(pause && pause->load()))
        return;
    const auto pausedAt = std::chrono::steady_clock::now();
    log("paused at step " + std::to_string(step));
    while (pause->load() && !(stop && stop->load()))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    started += std::chrono::steady_clock::now() - pausedAt;
    if (!(stop && stop->load()))
        log("resumed at step " + std::to_string(step));
}

// The examples of the step's micro-batches: up to gradient_accumulation_steps, within the epoch.
struct StepBatches
{
    std::vector<ExampleRefs> micro;
    int64_t lossTokens = 0;
    int64_t tokens = 0;
};

std::vector<torch::Tensor> trainableTensors(const TrainableStrategy &strategy)
{
    std::vector<torch::Tensor> tensors;
    for (const auto &named : strategy.trainableParameters())
        tensors.push_back(named.second);
    return tensors;
}

StepBatches takeStepBatches(const std::vector<Example> &examples,
                            const std::vector<std::vector<int64_t>> &batches, int64_t &nextBatch,
                            int64_t accumulation)
{
    StepBatches step;
    const int64_t count = std::min<int64_t>(accumulation, static_cast<int64_t>(batches.size()) - nextBatch);
    for (int64_t i = 0; i < count; ++i) {
        ExampleRefs rows;
        for (int64_t r : batches[nextBatch + i])
            rows.push_back(&examples[r]);
        step.lossTokens += lossTokenCount(rows);
        step.tokens += tokenCount(rows);
        step.micro.push_back(std::move(rows));
    }
    nextBatch += count;
    return step;
}

} // namespace

TrainingResult Trainer::run(TrainingObserver *observer, const std::atomic<bool> *stop,
                            const std::atomic<bool> *pause)
{
    // Declared first, so it runs after every tensor of the run is freed: the heap that
    // initRuntime keeps for reuse between micro-batches goes back to the system (the studio
    // lives on after a run).
    struct ReturnFreedHeap
    {
        ~ReturnFreedHeap() { ::malloc_trim(0); }
    } returnFreedHeap;
    Impl &d = *m_impl;
    const TrainingConfig &c = d.config;
    const auto log = [&](const std::string &text) { d.log(observer, text); };
    if (!d.writes())  // rank 0 reports for all
        observer = nullptr;
    else
        d.writeRunFiles();

    // Resume: the trainable set as checkpointed, then the optimizer that fits it, then its state.
    const json resumeState = d.readResumeState();
    TrainableStrategy &strategy = *d.strategy;
    strategy.setTraining(true);
    struct Restore
    {
        TrainableStrategy &strategy;
        ~Restore() { strategy.setTraining(false); }
    } restore{strategy};
    const OpProfile profile;          // FT_PROFILE_OPS (developers)
    const GemmProfile gemmProfile;    // FT_PROFILE_GEMMS (developers)

    AdamWSettings settings;
    settings.beta1 = c.adamBeta1;
    settings.beta2 = c.adamBeta2;
    settings.eps = c.adamEpsilon;
    settings.weightDecay = c.weightDecay;
    OptimizerGroups optimizer(settings, c.learningRate);
    optimizer.addNewGroups(strategy);
    const int64_t warmup = c.warmupSteps > 0 ? c.warmupSteps
                                             : LrSchedule::warmupStepsFor(c.warmupRatio, d.totalSteps);
    const LrSchedule schedule(LrSchedule::parseKind(c.lrSchedulerType), warmup, d.totalSteps);
    EarlyStopping evals(c.earlyStoppingPatience, c.earlyStoppingThreshold);
    TrainingPosition at;
    if (!resumeState.is_null())
        d.resume(resumeState, at, optimizer, evals);
    else if (!d.startWeights.empty())  // a staged run: what the previous stage trained
        strategy.loadWeights(d.startWeights);
    if (d.dataParallel)  // as DDP does: every rank starts from rank 0's weights
        d.dataParallel->broadcastFromLead(trainableTensors(strategy));
    std::optional<MetricsLog> metrics;
    if (d.writes())
        metrics.emplace(d.outDir / "metrics.jsonl", resumeState.is_null() ? -1 : at.step);
    if (!resumeState.is_null())
        log("resumed from " + d.resumeFrom.string() + " at step " + std::to_string(at.step));

    log(std::to_string(d.examples.size()) + " examples" +
        (d.evalExamples.empty() ? std::string()
                                : " (+" + std::to_string(d.evalExamples.size()) + " held out for evaluation)") +
        ", " + std::to_string(d.totalSteps) + " optimiser steps (" + std::to_string(d.stepsPerEpoch) +
        " per epoch), " + std::to_string(strategy.trainableParameters().size()) + " trainable tensors (" +
        std::to_string(strategy.trainableParameterCount()) + " parameters)");

    auto started = std::chrono::steady_clock::now();
    const int64_t firstStep = at.step;
    int64_t tokensSeen = 0;
    std::vector<std::vector<int64_t>> batches = d.epochBatches(at.epoch);
    TrainingResult result;

    while (at.step < d.totalSteps) {
        waitWhilePaused(pause, stop, at.step, started, log);
        d.exitIfTestAsks(at.step);
        if (d.anyRankStops(stop && stop->load())) {
            d.saveCheckpoint(at, optimizer, evals, observer);
            result.stopped = true;
            result.steps = at.step;
            return result;
        }
        if (at.nextBatch >= static_cast<int64_t>(batches.size())) {
            ++at.epoch;
            at.nextBatch = 0;
            batches = d.epochBatches(at.epoch);
        }
        std::string change;
        if (strategy.onStepBoundary({at.step, d.totalSteps, at.epoch, d.stepsPerEpoch}, change)) {
            optimizer.addNewGroups(strategy);
            log("step " + std::to_string(at.step) + ": " + change);
        }

        // The step: its micro-batches (this rank's share of them), forward + backward of each,
        // the gradients summed over the ranks, the update.
        const StepBatches step = takeStepBatches(d.examples, batches, at.nextBatch, d.microBatchesPerStep());
        tokensSeen += step.tokens;  // all ranks'
        const std::vector<ExampleRefs> share = d.rankShare(step.micro);
        const double lrFactor = schedule.factor(at.step);
        const Decoder &decoder = *d.model->impl().decoder;
        const StepOutcome outcome =
            d.pairs.empty() ? accumulatedStep(decoder, share, step.lossTokens, optimizer, lrFactor,
                                              c.maxGradNorm, d.device, at.step + 1, d.dataParallel.get(),
                                              d.zero.get())
                            : preferenceStep(decoder, d.pairBatches(step.micro), c.stage, c.preference, optimizer,
                                             lrFactor, c.maxGradNorm, d.device, at.step + 1,
                                             ReferenceCache::applies(decoder) ? &d.referenceCache : nullptr);
        ++at.step;

        // Logging: the observer every step, metrics.jsonl every logging_steps (and the last).
        TrainingStepInfo info;
        info.step = at.step;
        info.totalSteps = d.totalSteps;
        info.epoch = static_cast<double>(at.epoch) +
                     static_cast<double>(at.nextBatch) / static_cast<double>(batches.size());
        info.loss = outcome.loss;
        info.learningRate = optimizer.firstBaseLr() * lrFactor;
        info.gradNorm = outcome.gradNorm;
        info.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        info.tokensPerSecond = info.elapsedSeconds > 0 ? tokensSeen / info.elapsedSeconds : 0.0;
        info.etaSeconds = info.elapsedSeconds / static_cast<double>(at.step - firstStep) *
                          static_cast<double>(d.totalSteps - at.step);
        info.memoryBytes = residentBytes();
        result.lastLoss = outcome.loss;
        d.window.lossSum += outcome.loss;
        ++d.window.steps;
        info.windowLoss = d.window.lossSum / static_cast<double>(d.window.steps);
        info.windowSteps = d.window.steps;
        info.logged = at.step % c.loggingSteps == 0 || at.step == d.totalSteps;
        info.stageMetrics = outcome.metrics;
        if (d.stageWindow.empty())
            for (const auto &m : outcome.metrics)
                d.stageWindow.emplace_back(m.first, 0.0);
        for (size_t i = 0; i < outcome.metrics.size(); ++i)
            d.stageWindow[i].second += outcome.metrics[i].second;
        if (info.logged) {
            json line = stepMetricsLine(info, strategy.trainableParameterCount());
            for (const auto &[name, sum] : d.stageWindow)  // TRL logs the window's mean
                line[name] = sum / static_cast<double>(d.window.steps);
            if (metrics)
                metrics->write(line);
        }
        if (observer)
            observer->onStep(info);
        if (info.logged) {
            d.window = LossWindow();
            d.stageWindow.clear();
        }

        // Evaluation (eval_steps, or each epoch's end, and the last step) and early stopping.
        bool stopEarly = false;
        if (!d.evalExamples.empty()) {
            const bool epochEnd = at.nextBatch >= static_cast<int64_t>(batches.size());
            const bool due = c.evalSteps > 0 ? at.step % c.evalSteps == 0 : epochEnd;
            if (due || at.step == d.totalSteps) {
                TrainingEvalInfo eval;
                strategy.setTraining(false);  // no dropout, no graph
                eval.loss = d.evaluate(eval.tokens);
                strategy.setTraining(true);
                stopEarly = evals.record(at.step, eval.loss);
                eval.step = at.step;
                eval.epoch = info.epoch;
                eval.perplexity = std::exp(eval.loss);
                eval.bestLoss = evals.bestLoss();
                eval.evalsWithoutImprovement = evals.evalsWithoutImprovement();
                if (metrics)
                    metrics->write(evalMetricsLine(eval));
                if (observer)
                    observer->onEval(eval);
            }
        }
        if (stopEarly && at.step < d.totalSteps) {
            d.saveCheckpoint(at, optimizer, evals, observer);
            result.earlyStopped = true;
            result.stopReason = "early stopping at step " + std::to_string(at.step) +
                                ": the eval loss has not improved by more than " + fmt(c.earlyStoppingThreshold) +
                                " for " + std::to_string(evals.evalsWithoutImprovement()) + " evaluations (best " +
                                fmt(evals.bestLoss()) + ")";
            log(result.stopReason);
            break;
        }
        // Checkpoints every save_steps (the final folder stands for the last step).
        if (c.saveSteps > 0 && at.step % c.saveSteps == 0 && at.step < d.totalSteps)
            d.saveCheckpoint(at, optimizer, evals, observer);
    }
    if (d.writes())
        writeFolderAtomically(d.outDir / "final", [&](const fs::path &dir) { strategy.writeFinal(dir); });
    result.steps = at.step;
    result.finalDir = d.outDir / "final";
    log("wrote " + result.finalDir.string());
    return result;
}

Trainer::MicroBatchTiming Trainer::timeFirstMicroBatch()
{
    Impl &d = *m_impl;
    const TrainingConfig &c = d.config;
    MicroBatchTiming timing;
    const std::vector<std::vector<int64_t>> batches = d.epochBatches(0);
    if (batches.empty())
        return timing;
    ExampleRefs rows;
    for (int64_t r : batches.front())
        rows.push_back(&d.examples[r]);
    timing.rows = static_cast<int64_t>(rows.size());
    timing.tokens = tokenCount(rows);
    d.strategy->setTraining(true);
    const auto started = std::chrono::steady_clock::now();
    const Decoder &decoder = *d.model->impl().decoder;
    if (!d.pairs.empty()) {  // a preference stage: its own loss over the pairs
        PreferenceLoss loss;
        {
            AutocastScope autocast(d.device);
            const PairRefs pairs = d.pairBatches({rows}).front();
            loss = c.stage == "dpo" ? dpoLoss(decoder, pairs, c.preference) : orpoLoss(decoder, pairs, c.preference);
        }
        loss.loss.backward();
    } else {
        torch::Tensor lossSum;
        {
            AutocastScope autocast(d.device);
            lossSum = batchLossSum(decoder, rows);
        }
        if (lossSum.defined())
            (lossSum / static_cast<double>(std::max<int64_t>(1, lossTokenCount(rows)))).backward();
    }
    timing.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (auto &named : d.strategy->trainableParameters())
        if (named.second.grad().defined())
            named.second.mutable_grad() = torch::Tensor();
    d.strategy->setTraining(false);
    return timing;
}

} // namespace ft
