// The Trainer loop (full / LoRA supervised fine-tuning): data loading and rendering, batching,
// gradient accumulation, checkpoints and resume. See docs/training.md.
#include "ft/trainer.h"

#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/model.h"
#include "io/safetensorswriter.h"
#include "model/loraconfig.h"
#include "model/loramodel.h"
#include "model/modelimpl.h"
#include "train/adamwfactory.h"
#include "train/causallmloss.h"
#include "train/flatbatch.h"
#include "train/lrschedule.h"
#include "train/runfiles.h"
#include "train/trainerio.h"
#include "train/trainingdata.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

struct Trainer::Impl
{
    TrainingConfig config;
    fs::path outDir;
    fs::path resumeFrom;  // a checkpoint folder, or empty
    std::unique_ptr<Model> model;
    std::optional<LoraModel> lora;
    NamedTensors params;
    std::vector<Example> examples;
    int64_t badRows = 0;
    std::vector<std::string> dataLog;
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
    void saveCheckpoint(int64_t step, int64_t epoch, int64_t nextBatch,
                        torch::optim::Optimizer &optimizer, TrainingObserver *observer) const;
    void writeFinal() const;
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
    if (auto bos = tokenizer.bosId())
        options.bosToken = tokenizer.tokenText(*bos);
    std::optional<int32_t> eos = tokenizer.eosId();
    if (!eos && !model->impl().eosIds.empty())
        eos = model->impl().eosIds.front();
    if (eos)
        options.eosToken = tokenizer.tokenText(*eos);
    const int64_t vocab = model->impl().config.vocabSize;

    std::vector<std::pair<json, std::string>> rows;
    try {
        rows = readRows(config.data);
    } catch (const Error &e) {
        problems.push_back(std::string("data: ") + e.what());
        return;
    }
    if (rows.empty()) {
        problems.push_back("data: " + config.data + " has no rows");
        return;
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
            examples.push_back(std::move(ex));
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
                           " bad)" + (dataLog.empty() ? "" : "; first: " + dataLog.front()));
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
    std::vector<int64_t> order(examples.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = static_cast<int64_t>(i);
    std::mt19937_64 gen(config.seed * 1000003ull + static_cast<uint64_t>(epoch));
    for (size_t i = order.size(); i > 1; --i) {
        const size_t j = static_cast<size_t>(gen() % i);
        std::swap(order[i - 1], order[j]);
    }
    std::vector<std::vector<int64_t>> batches;
    const size_t bs = static_cast<size_t>(config.perDeviceTrainBatchSize);
    for (size_t i = 0; i < order.size(); i += bs)
        batches.emplace_back(order.begin() + i, order.begin() + std::min(order.size(), i + bs));
    return batches;
}

void Trainer::Impl::saveCheckpoint(int64_t step, int64_t epoch, int64_t nextBatch,
                                   torch::optim::Optimizer &optimizer,
                                   TrainingObserver *observer) const
{
    const fs::path target = outDir / ("checkpoint-" + std::to_string(step));
    writeFolderAtomically(target, [&](const fs::path &dir) {
        if (lora) {
            lora->save(dir);
        } else {
            std::vector<std::pair<std::string, torch::Tensor>> tensors;
            for (const auto &[name, t] : params)
                tensors.emplace_back(name, t.detach());
            writeSafetensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
        }
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
                            {"strategy", config.strategy}};
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

void Trainer::Impl::writeFinal() const
{
    writeFolderAtomically(outDir / "final", [&](const fs::path &dir) {
        if (lora) {
            lora->save(dir);
        } else {
            std::vector<std::pair<std::string, torch::Tensor>> tensors;
            for (const auto &[name, t] : params)
                tensors.emplace_back(name, t.detach().contiguous());
            writeSafetensors(dir / "model.safetensors", tensors, {{"format", "pt"}});
            copyModelSideFiles(config.model, dir);
        }
    });
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
    try {
        LoadOptions options;
        options.requireTokenizer = true;
        d.model = Model::open(d.config.model, options);
    } catch (const Error &e) {
        problems.push_back(std::string("model: ") + e.what());
    }
    if (d.model) {
        d.loadData(problems);
        torch::manual_seed(d.config.seed);
        Model::Impl &m = d.model->impl();
        if (d.config.strategy == "lora") {
            try {
                json cfg = {{"peft_type", "LORA"},
                            {"r", d.config.lora.r},
                            {"lora_alpha", d.config.lora.loraAlpha},
                            {"lora_dropout", d.config.lora.loraDropout},
                            {"use_rslora", d.config.lora.useRslora}};
                if (!d.config.lora.targetRegex.empty())
                    cfg["target_modules"] = d.config.lora.targetRegex;
                else
                    cfg["target_modules"] = d.config.lora.targetModules;
                LoraConfig lc = LoraConfig::fromJson(cfg, "lora");
                lc.baseModelNameOrPath = d.config.model;
                d.lora.emplace(m.config, m.weights, lc);
                d.params = d.lora->namedParameters();
            } catch (const Error &e) {
                problems.push_back(std::string("lora.target_modules: ") + e.what());
            }
        } else {
            for (auto &[name, tensor] : m.weights.named)
                d.params.emplace_back(name, tensor);
        }
    }
    if (!problems.empty())
        throwBadInput(joinProblems("training configuration", problems));

    const int64_t microPerEpoch =
        (static_cast<int64_t>(d.examples.size()) + d.config.perDeviceTrainBatchSize - 1) /
        d.config.perDeviceTrainBatchSize;
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

Trainer::~Trainer()
{
    if (m_impl && m_impl->lora)
        m_impl->lora->detach();
}

const TrainingConfig &Trainer::config() const { return m_impl->config; }
int64_t Trainer::totalSteps() const { return m_impl->totalSteps; }
int64_t Trainer::exampleCount() const { return static_cast<int64_t>(m_impl->examples.size()); }
int64_t Trainer::badRowCount() const { return m_impl->badRows; }

TrainingResult Trainer::run(TrainingObserver *observer, const std::atomic<bool> *stop)
{
    Impl &d = *m_impl;
    const TrainingConfig &c = d.config;
    fs::create_directories(d.outDir);
    writeText(d.outDir / "training_config.json", c.toJson().dump(2) + "\n");

    if (d.lora)
        d.lora->setTraining(true);
    else
        for (auto &[name, t] : d.params)
            t.set_requires_grad(true);
    struct Restore
    {
        Impl &d;
        ~Restore()
        {
            if (d.lora)
                d.lora->setTraining(false);
            else
                for (auto &[name, t] : d.params)
                    t.set_requires_grad(false);
        }
    } restore{d};

    AdamWSettings settings;
    settings.lr = c.learningRate;
    settings.beta1 = c.adamBeta1;
    settings.beta2 = c.adamBeta2;
    settings.eps = c.adamEpsilon;
    settings.weightDecay = c.weightDecay;
    auto optimizer = AdamWFactory::create(d.params, settings);
    const int64_t warmup = c.warmupSteps > 0 ? c.warmupSteps
                                             : LrSchedule::warmupStepsFor(c.warmupRatio, d.totalSteps);
    const LrSchedule schedule(LrSchedule::parseKind(c.lrSchedulerType), warmup, d.totalSteps);
    std::vector<double> baseLrs;
    std::vector<torch::Tensor> clipped;
    for (auto &group : optimizer->param_groups()) {
        baseLrs.push_back(group.options().get_lr());
        for (const auto &p : group.params())
            clipped.push_back(p);
    }

    int64_t step = 0, epoch = 0, nextBatch = 0;
    const fs::path metricsPath = d.outDir / "metrics.jsonl";
    if (!d.resumeFrom.empty()) {
        const json state = json::parse(readText(d.resumeFrom / "trainer_state.json", "trainer state"));
        step = state.at("global_step").get<int64_t>();
        epoch = state.at("epoch").get<int64_t>();
        nextBatch = state.at("next_batch").get<int64_t>();
        if (state.value("strategy", c.strategy) != c.strategy)
            throwBadInput(d.resumeFrom.string() + ": the checkpoint was trained with strategy '" +
                          state.value("strategy", std::string()) + "'");
        loadTensorsInto(d.resumeFrom / (d.lora ? "adapter_model.safetensors" : "model.safetensors"),
                        d.params);
        torch::load(*optimizer, (d.resumeFrom / "optimizer.pt").string());
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

    d.log(observer, std::to_string(d.examples.size()) + " examples, " + std::to_string(d.totalSteps) +
                        " optimiser steps (" + std::to_string(d.stepsPerEpoch) + " per epoch), " +
                        std::to_string(d.params.size()) + " trainable tensors");

    const auto started = std::chrono::steady_clock::now();
    const int64_t firstStep = step;
    int64_t tokensSeen = 0;
    std::vector<std::vector<int64_t>> batches = d.epochBatches(epoch);
    TrainingResult result;

    while (step < d.totalSteps) {
        if (stop && stop->load()) {
            d.saveCheckpoint(step, epoch, nextBatch, *optimizer, observer);
            result.stopped = true;
            result.steps = step;
            return result;
        }
        if (nextBatch >= static_cast<int64_t>(batches.size())) {
            ++epoch;
            nextBatch = 0;
            batches = d.epochBatches(epoch);
        }
        // This step's micro-batches: up to gradient_accumulation_steps, within the epoch.
        const int64_t count = std::min<int64_t>(c.gradientAccumulationSteps,
                                                static_cast<int64_t>(batches.size()) - nextBatch);
        std::vector<FlatBatch> micro;
        int64_t lossTokens = 0;
        for (int64_t i = 0; i < count; ++i) {
            std::vector<const Example *> rows;
            for (int64_t r : batches[nextBatch + i])
                rows.push_back(&d.examples[r]);
            micro.push_back(flattenExamples(rows));
            lossTokens += micro.back().lossRows.numel();
            tokensSeen += micro.back().tokens;
        }
        nextBatch += count;

        const double factor = schedule.factor(step);
        auto &groups = optimizer->param_groups();
        for (size_t i = 0; i < groups.size(); ++i)
            groups[i].options().set_lr(baseLrs[i] * factor);
        optimizer->zero_grad();
        double stepLoss = 0.0;
        for (const FlatBatch &b : micro) {
            torch::Tensor lossSum = flatBatchLossSum(*d.model->impl().decoder, b);
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
        result.lastLoss = stepLoss;
        if (step % c.loggingSteps == 0 || step == d.totalSteps) {
            const json line = {{"step", step},
                               {"epoch", info.epoch},
                               {"loss", info.loss},
                               {"learning_rate", info.learningRate},
                               {"grad_norm", info.gradNorm},
                               {"tokens_per_second", info.tokensPerSecond},
                               {"elapsed_seconds", info.elapsedSeconds}};
            metrics << line.dump() << '\n';
            metrics.flush();
        }
        if (observer)
            observer->onStep(info);
        if (c.saveSteps > 0 && step % c.saveSteps == 0 && step < d.totalSteps)
            d.saveCheckpoint(step, epoch, nextBatch, *optimizer, observer);
    }
    d.writeFinal();
    result.steps = step;
    result.finalDir = d.outDir / "final";
    d.log(observer, "wrote " + result.finalDir.string());
    return result;
}

} // namespace ft
