// The Trainer loop (supervised fine-tuning): data loading and rendering, batching, gradient
// accumulation, checkpoints and resume. What trains is up to the strategy
// (train/trainablestrategy.h). See docs/training.md.
#include "ft/trainer.h"

#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/jsonparse.h"
#include "ft/model.h"
#include "ft/project.h"
#include "model/modelimpl.h"
#include "train/adamwfactory.h"
#include "train/batchplan.h"
#include "train/causallmloss.h"
#include "train/devicemove.h"
#include "train/flatbatch.h"
#include "train/lrschedule.h"
#include "train/opprofile.h"
#include "train/runenvironment.h"
#include "train/runfiles.h"
#include "train/trainablestrategy.h"
#include "train/trainingdata.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <malloc.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

// bf16 autocast for the forward passes on CUDA (fp32 on the CPU), as transformers' bf16=True.
struct AutocastScope
{
    const bool on;
    explicit AutocastScope(const std::string &device) : on(device == "cuda")
    {
        if (!on)
            return;
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    }
    ~AutocastScope()
    {
        if (!on)
            return;
        at::autocast::set_enabled(false);
        at::autocast::clear_cache();
    }
};

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

struct Trainer::Impl
{
    TrainingConfig config;
    fs::path outDir;
    fs::path resumeFrom;  // a checkpoint folder, or empty
    std::unique_ptr<Model> model;
    std::unique_ptr<TrainableStrategy> strategy;  // declared after model: destroyed first
    std::vector<Example> examples;      // training rows
    std::vector<Example> evalExamples;  // the validation split (val_size)
    std::vector<int64_t> evalRows;      // their data row indices
    std::vector<int64_t> trainRowIds, evalRowIds;  // project row ids (a project dataset only)
    std::string device = "cpu";
    int64_t badRows = 0;
    std::vector<std::string> dataLog;
    std::unique_ptr<BatchPlan> batchPlan;  // which examples form each micro-batch
    int64_t microPerEpoch = 0;
    int64_t stepsPerEpoch = 0;
    int64_t totalSteps = 0;

    void log(TrainingObserver *observer, const std::string &text) const
    {
        if (observer)
            observer->onLog(text);
    }
    void loadData(std::vector<std::string> &problems);
    std::vector<std::vector<int64_t>> epochBatches(int64_t epoch) const;
    // Token-weighted mean loss over the validation split (no grad, no dropout); tokens counted.
    double evaluate(int64_t &tokens) const;
    void saveCheckpoint(int64_t step, int64_t epoch, int64_t nextBatch,
                        torch::optim::Optimizer &optimizer, const json &evalState,
                        TrainingObserver *observer) const;
    // The logging window (steps since the last metrics line): checkpointed so that a resumed
    // run logs the same window means as an uninterrupted one.
    double windowLossSum = 0.0;
    int64_t windowSteps = 0;
};

void Trainer::Impl::loadData(std::vector<std::string> &problems)
{
    const Tokenizer &tokenizer = model->impl().requireTokenizer();
    std::string templ;
    if (config.templateName == "model") {
        templ = tokenizer.chatTemplate();
        if (templ.empty()) {
            problems.push_back("template: the model has no chat template; choose a built-in one");
            return;
        }
    } else {
        templ = *builtinChatTemplate(config.templateName);
    }
    const bool alpaca = config.templateName == "alpaca";
    ChatTemplateOptions options;
    options.source = config.templateName == "model" ? config.model + ": chat template"
                                                    : "built-in template " + config.templateName;
    if (auto bos = tokenizer.bosId())
        options.bosToken = tokenizer.tokenText(*bos);
    std::optional<int32_t> eos = tokenizer.eosId();
    if (!eos && !model->impl().eosIds.empty())
        eos = model->impl().eosIds.front();
    if (eos)
        options.eosToken = tokenizer.tokenText(*eos);
    const int64_t vocab = model->impl().config.vocabSize;

    std::vector<std::pair<json, std::string>> rows;
    std::vector<bool> heldOut;
    std::vector<int64_t> rowIds;  // project row ids (empty for a data file)
    try {
        if (const auto spec = parseProjectDataset(config.data)) {
            // The project's own split: its evaluation rows are held out as they are.
            ProjectRowSets sets =
                readProjectRowSets(spec->first, spec->second, config.dataSplit, config.evalSplit);
            rows = std::move(sets.train);
            rowIds = std::move(sets.trainIds);
            heldOut.assign(rows.size(), false);
            for (size_t i = 0; i < sets.eval.size(); ++i) {
                rows.push_back(std::move(sets.eval[i]));
                rowIds.push_back(sets.evalIds[i]);
                heldOut.push_back(true);
            }
            if (!config.evalSplit.empty() && sets.eval.empty()) {
                problems.push_back("eval_split: the dataset's " + config.evalSplit +
                                   " split has no rows that are not excluded");
                return;
            }
        } else {
            rows = readRows(config.data);
            heldOut.assign(rows.size(), false);
        }
    } catch (const Error &e) {
        problems.push_back(std::string("data: ") + e.what());
        return;
    }
    if (rows.empty()) {
        problems.push_back("data: " + config.data + " has no rows");
        return;
    }
    // The validation split: a permutation of the row indices seeded by `seed`; its first n rows
    // (n = ceil(val_size * rows) or val_size rows) are held out.
    if (config.valSize > 0) {
        const int64_t n = config.valSize < 1
                              ? static_cast<int64_t>(std::ceil(config.valSize * double(rows.size())))
                              : static_cast<int64_t>(config.valSize);
        if (n >= static_cast<int64_t>(rows.size())) {
            problems.push_back("val_size: " + fmt(config.valSize) + " leaves no training rows (the data has " +
                               std::to_string(rows.size()) + ")");
            return;
        }
        std::vector<size_t> order(rows.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::mt19937_64 gen(config.seed * 1000003ull + 0x5eedull);
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<size_t>(gen() % i)]);
        for (int64_t i = 0; i < n; ++i)
            heldOut[order[i]] = true;
    }
    for (size_t i = 0; i < rows.size(); ++i) {
        try {
            if (!rows[i].second.empty())
                throw std::runtime_error("row " + std::to_string(i) + ": " + rows[i].second);
            const nlohmann::ordered_json messages = rowMessages(rows[i].first, i, alpaca);
            const ChatRendering rendering = renderChatTemplateWithMask(templ, messages, options);
            ChatTokens tokens = tokenizeChat(tokenizer, rendering);
            if (alpaca && eos) {
                tokens.ids.push_back(*eos);
                tokens.lossMask.push_back(1);
            }
            Example ex;
            const size_t n = std::min<size_t>(tokens.ids.size(), static_cast<size_t>(config.cutoffLen));
            for (size_t t = 0; t < n; ++t) {
                if (tokens.ids[t] < 0 || tokens.ids[t] >= vocab)
                    throw std::runtime_error("row " + std::to_string(i) + ": token id " +
                                             std::to_string(tokens.ids[t]) +
                                             " is outside the model's vocabulary");
                ex.ids.push_back(tokens.ids[t]);
                ex.labels.push_back(tokens.lossMask[t] ? tokens.ids[t] : kIgnoreIndex);
            }
            for (size_t t = 1; t < ex.labels.size(); ++t)
                ex.lossTokens += ex.labels[t] != kIgnoreIndex;
            if (ex.lossTokens == 0)
                throw std::runtime_error("row " + std::to_string(i) +
                                         ": no response token left within cutoff_len (" +
                                         std::to_string(config.cutoffLen) + ")");
            if (heldOut[i]) {
                evalExamples.push_back(std::move(ex));
                evalRows.push_back(static_cast<int64_t>(i));
                if (!rowIds.empty())
                    evalRowIds.push_back(rowIds[i]);
            } else {
                examples.push_back(std::move(ex));
                if (!rowIds.empty())
                    trainRowIds.push_back(rowIds[i]);
            }
        } catch (const std::exception &e) {
            ++badRows;
            if (dataLog.size() < 20)
                dataLog.push_back(std::string("skipped ") + e.what());
        }
    }
    if (badRows > 0)
        dataLog.push_back(std::to_string(badRows) + " of " + std::to_string(rows.size()) +
                          " rows skipped");
    if (examples.empty())
        problems.push_back("data: " + config.data + ": no usable rows (" + std::to_string(badRows) +
                           " bad)" + (dataLog.empty() ? "" : "; first: " + dataLog.front()) +
                           (config.valSize > 0 || !config.evalSplit.empty() ? " outside the validation split" : ""));
    else if ((config.valSize > 0 || !config.evalSplit.empty()) && evalExamples.empty())
        problems.push_back("val_size: no usable row in the validation split");
    else if (config.perDeviceTrainBatchSize > static_cast<int64_t>(examples.size()))
        problems.push_back("per_device_train_batch_size: " +
                           std::to_string(config.perDeviceTrainBatchSize) +
                           " is larger than the data (" + std::to_string(examples.size()) +
                           " usable rows)");
}

// The micro-batches of one epoch: a permutation seeded by (seed, epoch), cut into
// per_device_train_batch_size rows (the last may be smaller).
std::vector<std::vector<int64_t>> Trainer::Impl::epochBatches(int64_t epoch) const
{
    return batchPlan->epoch(epoch);
}

double Trainer::Impl::evaluate(int64_t &tokens) const
{
    torch::NoGradGuard noGrad;
    AutocastScope autocast(device);
    double sum = 0.0;
    tokens = 0;
    const size_t bs = static_cast<size_t>(config.perDeviceTrainBatchSize);
    for (size_t start = 0; start < evalExamples.size(); start += bs) {
        ExampleRefs rows;
        for (size_t i = start; i < std::min(evalExamples.size(), start + bs); ++i)
            rows.push_back(&evalExamples[i]);
        const torch::Tensor lossSum = batchLossSum(*model->impl().decoder, rows);
        if (!lossSum.defined())
            continue;
        sum += lossSum.item<double>();
        tokens += lossTokenCount(rows);
    }
    return tokens > 0 ? sum / static_cast<double>(tokens) : std::nan("");
}

void Trainer::Impl::saveCheckpoint(int64_t step, int64_t epoch, int64_t nextBatch,
                                   torch::optim::Optimizer &optimizer, const json &evalState,
                                   TrainingObserver *observer) const
{
    const fs::path target = outDir / ("checkpoint-" + std::to_string(step));
    writeFolderAtomically(target, [&](const fs::path &dir) {
        strategy->saveWeights(dir);
        torch::save(optimizer, (dir / "optimizer.pt").string());
        torch::Tensor rng;
        {
            auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            rng = gen.get_state();
        }
        torch::save(rng, (dir / "rng_state.pt").string());
        const json state = {{"global_step", step},
                            {"epoch", epoch},
                            {"next_batch", nextBatch},
                            {"total_steps", totalSteps},
                            {"strategy", config.strategy},
                            {"strategy_state", strategy->state()},
                            {"eval", evalState},
                            {"log_window", {{"loss_sum", windowLossSum}, {"steps", windowSteps}}}};
        writeText(dir / "trainer_state.json", state.dump(2) + "\n");
        writeText(dir / "training_config.json", config.toJson().dump(2) + "\n");
    });
    log(observer, "saved " + target.string());
    if (config.saveTotalLimit > 0) {
        auto all = listCheckpoints(outDir);
        while (static_cast<int64_t>(all.size()) > config.saveTotalLimit) {
            fs::remove_all(all.front());
            all.erase(all.begin());
        }
    }
}

Trainer::Trainer(TrainingConfig config, const fs::path &resumeRunDir, TrainingObserver *observer)
    : m_impl(std::make_unique<Impl>())
{
    Impl &d = *m_impl;
    d.config = std::move(config);
    d.outDir = resumeRunDir.empty() ? fs::path(d.config.outputDir) : resumeRunDir;
    if (!resumeRunDir.empty())
        d.resumeFrom = latestCheckpoint(resumeRunDir);

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
        d.model = Model::open(d.config.model, options);
    } catch (const Error &e) {
        problems.push_back(std::string("model: ") + e.what());
    }
    if (d.model && d.device == "cuda") {
        if (d.config.strategy == "ia3" || d.config.strategy == "prompt_tuning")
            problems.push_back("device: strategy \"" + d.config.strategy +
                               "\" trains on the CPU only for now (use \"cpu\")");
        else  // before the strategy attaches adapters, which follow their base weights
            moveWeightsTo(d.model->impl().weights, torch::Device(torch::kCUDA));
    }
    if (d.model)
        checkAgainstModel(d.config, d.model->info(), problems);
    if (d.model && problems.empty()) {
        d.loadData(problems);
        torch::manual_seed(d.config.seed);
        d.strategy = makeTrainableStrategy(d.config, *d.model, problems);
    }
    if (!problems.empty())
        throwBadInput(joinProblems("training configuration", problems));

    d.batchPlan = std::make_unique<BatchPlan>(
        d.examples, BatchPlanOptions{d.config.perDeviceTrainBatchSize, d.config.packing,
                                     d.config.groupByLength, d.config.cutoffLen, d.config.seed});
    if (d.config.packing)
        d.dataLog.push_back("packing: " + std::to_string(d.examples.size()) + " examples in " +
                            std::to_string(d.batchPlan->unitCount()) + " rows of up to " +
                            std::to_string(d.config.cutoffLen) + " tokens");
    const int64_t microPerEpoch = d.batchPlan->microBatchesPerEpoch();
    d.microPerEpoch = microPerEpoch;
    d.stepsPerEpoch = (microPerEpoch + d.config.gradientAccumulationSteps - 1) /
                      d.config.gradientAccumulationSteps;
    d.totalSteps = d.config.maxSteps > 0
                       ? d.config.maxSteps
                       : std::max<int64_t>(1, static_cast<int64_t>(std::ceil(
                                                  d.config.numTrainEpochs * d.stepsPerEpoch)));
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
    createOutputFolder(d.outDir);
    writeText(d.outDir / "training_config.json", c.toJson().dump(2) + "\n");
    writeText(d.outDir / "environment.json", environmentJson(d.device).dump(2) + "\n");
    if (parseProjectDataset(c.data))  // which project rows this run trains and evaluates on
        writeText(d.outDir / "data_rows.json",
                  json{{"data", c.data}, {"train_row_ids", d.trainRowIds}, {"eval_row_ids", d.evalRowIds}}
                          .dump() +
                      "\n");
    if (!d.evalExamples.empty()) {
        // The held-out rows as evaluated (data row index, token ids, labels with -100).
        std::string text;
        for (size_t i = 0; i < d.evalExamples.size(); ++i)
            text += json{{"row", d.evalRows[i]},
                         {"input_ids", d.evalExamples[i].ids},
                         {"labels", d.evalExamples[i].labels}}
                        .dump() +
                    "\n";
        writeText(d.outDir / "validation_set.jsonl", text);
    }

    TrainableStrategy &strategy = *d.strategy;
    int64_t step = 0, epoch = 0, nextBatch = 0;
    json resumeState;
    if (!d.resumeFrom.empty()) {
        resumeState = json::parse(readText(d.resumeFrom / "trainer_state.json", "trainer state"));
        if (resumeState.value("strategy", c.strategy) != c.strategy)
            throwBadInput(d.resumeFrom.string() + ": the checkpoint was trained with strategy '" +
                          resumeState.value("strategy", std::string()) + "'");
        // The trainable set as it was at the checkpoint (progressive stages), before the
        // optimizer is built, so that the saved optimizer state fits its groups.
        strategy.restoreState(resumeState.value("strategy_state", json()));
    }

    strategy.setTraining(true);
    struct Restore
    {
        TrainableStrategy &strategy;
        ~Restore() { strategy.setTraining(false); }
    } restore{strategy};
    const OpProfile profile;  // FT_PROFILE_OPS (developers)

    AdamWSettings settings;
    settings.beta1 = c.adamBeta1;
    settings.beta2 = c.adamBeta2;
    settings.eps = c.adamEpsilon;
    settings.weightDecay = c.weightDecay;
    // One (decay, no-decay) pair of optimizer groups per strategy group, in joining order.
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<double> baseLrs;
    std::vector<torch::Tensor> clipped;
    size_t groupsInOptimizer = 0;
    auto addNewGroups = [&] {
        const auto &groups = strategy.groups();
        for (; groupsInOptimizer < groups.size(); ++groupsInOptimizer) {
            const TrainableGroup &group = groups[groupsInOptimizer];
            settings.lr = c.learningRate * group.lrFactor;
            const size_t before = optimizer ? optimizer->param_groups().size() : 0;
            if (!optimizer)
                optimizer = AdamWFactory::create(group.parameters, settings);
            else
                AdamWFactory::addParameters(*optimizer, group.parameters, settings);
            // Base lrs are recorded here, not read back later: the schedule overwrites the
            // groups' lr every step.
            auto &added = optimizer->param_groups();
            for (size_t k = before; k < added.size(); ++k) {
                baseLrs.push_back(settings.lr);
                for (const auto &p : added[k].params())
                    clipped.push_back(p);
            }
        }
    };
    addNewGroups();
    const int64_t warmup = c.warmupSteps > 0 ? c.warmupSteps
                                             : LrSchedule::warmupStepsFor(c.warmupRatio, d.totalSteps);
    const LrSchedule schedule(LrSchedule::parseKind(c.lrSchedulerType), warmup, d.totalSteps);

    // Evaluation and early stopping state (checkpointed).
    double bestEval = std::numeric_limits<double>::infinity();
    int64_t evalsWithoutImprovement = 0, lastEvalStep = -1;
    auto evalState = [&] {
        return json{{"best_loss", std::isfinite(bestEval) ? json(bestEval) : json()},
                    {"without_improvement", evalsWithoutImprovement},
                    {"last_step", lastEvalStep}};
    };

    const fs::path metricsPath = d.outDir / "metrics.jsonl";
    if (!d.resumeFrom.empty()) {
        const json &state = resumeState;
        step = state.at("global_step").get<int64_t>();
        epoch = state.at("epoch").get<int64_t>();
        nextBatch = state.at("next_batch").get<int64_t>();
        if (state.contains("eval") && state["eval"].is_object()) {
            const json &e = state["eval"];
            if (e.contains("best_loss") && e["best_loss"].is_number())
                bestEval = e["best_loss"].get<double>();
            evalsWithoutImprovement = e.value("without_improvement", int64_t(0));
            lastEvalStep = e.value("last_step", int64_t(-1));
        }
        if (state.contains("log_window") && state["log_window"].is_object()) {
            d.windowLossSum = state["log_window"].value("loss_sum", 0.0);
            d.windowSteps = state["log_window"].value("steps", int64_t(0));
        }
        strategy.loadWeights(d.resumeFrom);
        torch::load(*optimizer, (d.resumeFrom / "optimizer.pt").string(), torch::Device(d.device));
        torch::Tensor rng;
        torch::load(rng, (d.resumeFrom / "rng_state.pt").string());
        {
            auto gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(rng);
        }
        // Keep the metrics up to the checkpoint; later lines belong to the interrupted run.
        std::vector<std::string> kept;
        if (fs::exists(metricsPath)) {
            std::istringstream lines(readText(metricsPath, "metrics"));
            std::string line;
            while (std::getline(lines, line)) {
                try {
                    if (json::parse(line).at("step").get<int64_t>() <= step)
                        kept.push_back(line);
                } catch (const std::exception &) {
                }
            }
        }
        std::string text;
        for (const auto &l : kept)
            text += l + "\n";
        writeText(metricsPath, text);
        d.log(observer, "resumed from " + d.resumeFrom.string() + " at step " + std::to_string(step));
    } else {
        writeText(metricsPath, "");
    }
    std::ofstream metrics(metricsPath, std::ios::app);

    d.log(observer, std::to_string(d.examples.size()) + " examples" +
                        (d.evalExamples.empty() ? std::string()
                                                : " (+" + std::to_string(d.evalExamples.size()) +
                                                      " held out for evaluation)") +
                        ", " + std::to_string(d.totalSteps) +
                        " optimiser steps (" + std::to_string(d.stepsPerEpoch) + " per epoch), " +
                        std::to_string(strategy.trainableParameters().size()) +
                        " trainable tensors (" +
                        std::to_string(strategy.trainableParameterCount()) + " parameters)");

    auto started = std::chrono::steady_clock::now();
    const int64_t firstStep = step;
    int64_t tokensSeen = 0;
    std::vector<std::vector<int64_t>> batches = d.epochBatches(epoch);
    TrainingResult result;

    // Evaluates, logs, and applies early stopping; true when the run should stop.
    auto evaluateNow = [&](double epochNow) {
        int64_t tokens = 0;
        strategy.setTraining(false);  // no dropout, no graph
        const double loss = d.evaluate(tokens);
        strategy.setTraining(true);
        lastEvalStep = step;
        const bool improved = !std::isfinite(bestEval) ||
                              (loss < bestEval && bestEval - loss > c.earlyStoppingThreshold);
        if (improved) {
            bestEval = std::min(bestEval, loss);
            evalsWithoutImprovement = 0;
        } else {
            ++evalsWithoutImprovement;
        }
        TrainingEvalInfo info;
        info.step = step;
        info.epoch = epochNow;
        info.loss = loss;
        info.perplexity = std::exp(loss);
        info.tokens = tokens;
        info.bestLoss = bestEval;
        info.evalsWithoutImprovement = evalsWithoutImprovement;
        metrics << json{{"step", step},
                        {"epoch", epochNow},
                        {"eval_loss", loss},
                        {"eval_perplexity", info.perplexity},
                        {"eval_tokens", tokens}}
                       .dump()
                << '\n';
        metrics.flush();
        if (observer)
            observer->onEval(info);
        return c.earlyStoppingPatience > 0 && evalsWithoutImprovement >= c.earlyStoppingPatience;
    };

    while (step < d.totalSteps) {
        if (pause && pause->load()) {
            const auto pausedAt = std::chrono::steady_clock::now();
            d.log(observer, "paused at step " + std::to_string(step));
            while (pause->load() && !(stop && stop->load()))
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            started += std::chrono::steady_clock::now() - pausedAt;  // rates ignore the pause
            if (!(stop && stop->load()))
                d.log(observer, "resumed at step " + std::to_string(step));
        }
        if (stop && stop->load()) {
            d.saveCheckpoint(step, epoch, nextBatch, *optimizer, evalState(), observer);
            result.stopped = true;
            result.steps = step;
            return result;
        }
        if (nextBatch >= static_cast<int64_t>(batches.size())) {
            ++epoch;
            nextBatch = 0;
            batches = d.epochBatches(epoch);
        }
        {
            std::string change;
            if (strategy.onStepBoundary({step, d.totalSteps, epoch, d.stepsPerEpoch}, change)) {
                addNewGroups();
                d.log(observer, "step " + std::to_string(step) + ": " + change);
            }
        }
        // This step's micro-batches: up to gradient_accumulation_steps, within the epoch.
        const int64_t count = std::min<int64_t>(c.gradientAccumulationSteps,
                                                static_cast<int64_t>(batches.size()) - nextBatch);
        std::vector<ExampleRefs> micro;
        int64_t lossTokens = 0;
        for (int64_t i = 0; i < count; ++i) {
            ExampleRefs rows;
            for (int64_t r : batches[nextBatch + i])
                rows.push_back(&d.examples[r]);
            lossTokens += lossTokenCount(rows);
            tokensSeen += tokenCount(rows);
            micro.push_back(std::move(rows));
        }
        nextBatch += count;

        const double factor = schedule.factor(step);
        auto &groups = optimizer->param_groups();
        for (size_t i = 0; i < groups.size(); ++i)
            groups[i].options().set_lr(baseLrs[i] * factor);
        optimizer->zero_grad();
        double stepLoss = 0.0;
        for (const ExampleRefs &rows : micro) {
            torch::Tensor lossSum;
            {
                AutocastScope autocast(d.device);
                lossSum = batchLossSum(*d.model->impl().decoder, rows);
            }
            if (!lossSum.defined())
                continue;
            // transformers' num_items_in_batch: each micro-batch's summed loss over the tokens
            // of the whole optimiser step.
            torch::Tensor loss = lossSum / static_cast<double>(lossTokens);
            loss.backward();
            stepLoss += loss.item<double>();
        }
        if (!std::isfinite(stepLoss))
            throw Error(ErrorKind::Internal,
                        "training stopped at step " + std::to_string(step + 1) + ": the loss is " +
                            (std::isnan(stepLoss) ? "NaN" : "infinite") +
                            " (try a lower learning_rate or check the data); the last checkpoint "
                            "is intact");
        double gradNorm = 0.0;
        if (c.maxGradNorm > 0) {
            gradNorm = torch::nn::utils::clip_grad_norm_(clipped, c.maxGradNorm);
        } else {
            torch::NoGradGuard noGrad;
            double sq = 0;
            for (const auto &p : clipped)
                if (p.grad().defined())
                    sq += p.grad().pow(2).sum().item<double>();
            gradNorm = std::sqrt(sq);
        }
        optimizer->step();
        optimizer->zero_grad();
        ++step;

        TrainingStepInfo info;
        info.step = step;
        info.totalSteps = d.totalSteps;
        info.epoch = static_cast<double>(epoch) +
                     static_cast<double>(nextBatch) / static_cast<double>(batches.size());
        info.loss = stepLoss;
        info.learningRate = baseLrs.empty() ? 0.0 : baseLrs[0] * factor;
        info.gradNorm = gradNorm;
        info.elapsedSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        info.tokensPerSecond = info.elapsedSeconds > 0 ? tokensSeen / info.elapsedSeconds : 0.0;
        info.etaSeconds = info.elapsedSeconds / static_cast<double>(step - firstStep) *
                          static_cast<double>(d.totalSteps - step);
        info.memoryBytes = residentBytes();
        result.lastLoss = stepLoss;
        d.windowLossSum += stepLoss;
        ++d.windowSteps;
        info.windowLoss = d.windowLossSum / static_cast<double>(d.windowSteps);
        info.windowSteps = d.windowSteps;
        info.logged = step % c.loggingSteps == 0 || step == d.totalSteps;
        if (info.logged) {
            // "loss" as transformers' Trainer logs it: the mean over the logging window;
            // "step_loss": this step's own loss.
            const json line = {{"step", step},
                               {"epoch", info.epoch},
                               {"loss", info.windowLoss},
                               {"step_loss", info.loss},
                               {"logged_steps", info.windowSteps},
                               {"learning_rate", info.learningRate},
                               {"grad_norm", info.gradNorm},
                               {"tokens_per_second", info.tokensPerSecond},
                               {"elapsed_seconds", info.elapsedSeconds},
                               {"memory_bytes", info.memoryBytes},
                               {"trainable_parameters", strategy.trainableParameterCount()}};
            metrics << line.dump() << '\n';
            metrics.flush();
        }
        if (observer)
            observer->onStep(info);
        if (info.logged) {
            d.windowLossSum = 0.0;
            d.windowSteps = 0;
        }
        bool stopEarly = false;
        if (!d.evalExamples.empty()) {
            const bool epochEnd = nextBatch >= static_cast<int64_t>(batches.size());
            const bool due = c.evalSteps > 0 ? step % c.evalSteps == 0 : epochEnd;
            if (due || step == d.totalSteps)
                stopEarly = evaluateNow(info.epoch);
        }
        if (stopEarly && step < d.totalSteps) {
            d.saveCheckpoint(step, epoch, nextBatch, *optimizer, evalState(), observer);
            result.earlyStopped = true;
            result.stopReason = "early stopping at step " + std::to_string(step) + ": the eval loss has not improved by more than " +
                                fmt(c.earlyStoppingThreshold) + " for " + std::to_string(evalsWithoutImprovement) +
                                " evaluations (best " + fmt(bestEval) + ")";
            d.log(observer, result.stopReason);
            break;
        }
        if (c.saveSteps > 0 && step % c.saveSteps == 0 && step < d.totalSteps)
            d.saveCheckpoint(step, epoch, nextBatch, *optimizer, evalState(), observer);
    }
    writeFolderAtomically(d.outDir / "final", [&](const fs::path &dir) { strategy.writeFinal(dir); });
    result.steps = step;
    result.finalDir = d.outDir / "final";
    d.log(observer, "wrote " + result.finalDir.string());
    return result;
}

} // namespace ft

namespace ft {

Trainer::MicroBatchTiming Trainer::timeFirstMicroBatch()
{
    Impl &d = *m_impl;
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
    {
        torch::Tensor lossSum;
        {
            AutocastScope autocast(d.device);
            lossSum = batchLossSum(*d.model->impl().decoder, rows);
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
