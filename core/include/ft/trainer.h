// Supervised fine-tuning of a causal LM (full or LoRA) on an instruction / chat data file:
// the torch-free public API over core/src/train. Settings use transformers' TrainingArguments
// names; see docs/training.md.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft {

struct LoraOptions
{
    int r = 8;
    double loraAlpha = 16.0;
    double loraDropout = 0.05;
    // peft's target_modules: a list of module names / suffixes, or (targetRegex) one regex
    // string or "all-linear".
    std::vector<std::string> targetModules{"q_proj", "v_proj"};
    std::string targetRegex;
    bool useRslora = false;
    // DoRA (peft's use_dora): a trained magnitude per output row; linear-map targets only.
    bool useDora = false;
};

// strategy "freeze" (LLaMA-Factory's freeze tuning): base weights of the chosen parts train,
// the rest stay frozen (no gradient, no optimizer state). See docs/training.md.
struct FreezeOptions
{
    // Which decoder blocks train: "last" N (LLaMA-Factory freeze_trainable_layers = N), "first"
    // N (freeze_trainable_layers = -N) or the listed indices ("list").
    std::string blockSelection = "last";
    int blockCount = 2;
    std::vector<int> blocks;
    // Parts of those blocks that train (freeze_trainable_modules): attention, mlp, norms.
    std::vector<std::string> modules{"attention", "mlp", "norms"};
    // Parts outside the blocks that train too (freeze_extra_modules): embeddings, final_norm,
    // lm_head.
    std::vector<std::string> extra;
    // ECMAScript regexes searched in the Hugging Face parameter names: a match trains as well.
    std::vector<std::string> patterns;
};

// strategy "progressive" (gradual unfreezing, Howard & Ruder 2018): training starts with the top
// `initialBlocks` blocks (and `extra`), then each stage unfreezes the next `blocks` blocks
// downwards when its trigger is reached.
struct ProgressiveStage
{
    int64_t atEpoch = -1;      // joins when this many epochs are done (>= 1), or
    double atFraction = -1.0;  // when floor(at_fraction * total steps) steps are done (0 < f < 1)
    int blocks = 1;            // blocks that join, continuing downwards
    double lrFactor = 1.0;     // the joining parameters' lr = learning_rate * lr_factor
};

struct ProgressiveOptions
{
    int initialBlocks = 1;
    std::vector<std::string> modules{"attention", "mlp", "norms"};
    std::vector<std::string> extra;
    // Empty: one block per epoch (at_epoch 1, 2, ...) until every block trains.
    std::vector<ProgressiveStage> stages;
};

// peft's IA3Config: lists of module names / suffixes, or (the *Regex fields) one regex string
// (target_modules may also be "all-linear"). Empty: peft's defaults for the model type.
struct Ia3Options
{
    std::vector<std::string> targetModules;
    std::string targetRegex;
    std::vector<std::string> feedforwardModules;
    std::string feedforwardRegex;
};

// peft's PromptTuningConfig (task_type CAUSAL_LM).
struct PromptTuningOptions
{
    int numVirtualTokens = 20;
    std::string init = "random";  // "random" | "text" (the embeddings of initText's tokens)
    std::string initText;
};

// One stage of a staged run (TrainingConfig::stages): its kind and data, and what it changes in
// the run's settings. Each stage starts from the weights the previous one trained.
struct TrainingStageSpec
{
    std::string stage = "sft";  // "sft" | "pt" | "dpo" | "orpo"
    std::string data;           // a data file or a project dataset "P.ftproj#name"
    std::string dataSplit, evalSplit;
    double numTrainEpochs = 0;  // > 0: instead of the run's num_train_epochs
    int64_t maxSteps = 0;       // != 0: instead of the run's max_steps
    double learningRate = 0;    // > 0: instead of the run's learning_rate
};

// Stages "dpo" and "orpo" (preference pairs), with TRL's DPOConfig / ORPOConfig names.
struct PreferenceOptions
{
    double beta = 0.1;                 // DPO: how far from the reference; ORPO: lambda
    std::string lossType = "sigmoid";  // DPO: "sigmoid" (Rafailov et al.) | "robust" (Chowdhury et al.)
    double labelSmoothing = 0.0;       // robust: the probability that a label is flipped, [0, 0.5)
};

struct TrainingConfig
{
    // What to train on and where to write.
    std::string model;       // Hugging Face folder or .gguf file (with a tokenizer)
    std::string data;        // Alpaca / messages / ShareGPT rows, .json (a list) or .jsonl, or a
                             // project dataset "P.ftproj#name" (its non-excluded rows, edits applied)
    // A project dataset's split to train on ("": its train split when it has one, else every row;
    // "all": every non-excluded row) and the split to evaluate on ("": none, e.g. "validation":
    // those rows, never trained on; instead of val_size's random split).
    std::string dataSplit;
    std::string evalSplit;
    std::string templateName = "alpaca";  // a built-in chat template, or "model"
    // What the run learns from the rows: "sft" (instructions / conversations, loss on the
    // responses) or "pt" (continued pre-training: documents, {"text": ...} rows, tokenized with
    // EOS between them and packed into cutoff_len rows without cross-document attention, loss on
    // every token), "dpo" / "orpo" (preference pairs: prompt, chosen, rejected; see
    // docs/training.md).
    std::string stage = "sft";
    // Several stages in one run (runStages), e.g. pt on documents then sft on instructions; the
    // run-wide settings apply to each. Empty: one stage, `stage` on `data`.
    std::vector<TrainingStageSpec> stages;
    std::string outputDir;
    std::string strategy = "lora";  // full | lora | freeze | progressive | ia3 | prompt_tuning
    LoraOptions lora;
    FreezeOptions freeze;
    ProgressiveOptions progressive;
    Ia3Options ia3;                       // strategy "ia3"
    PromptTuningOptions promptTuning;     // strategy "prompt_tuning"
    PreferenceOptions preference;         // stages "dpo" / "orpo"

    // transformers.TrainingArguments names; product defaults.
    double learningRate = 2e-5;
    int perDeviceTrainBatchSize = 4;
    int gradientAccumulationSteps = 8;
    double numTrainEpochs = 3;
    int64_t maxSteps = -1;               // > 0 overrides num_train_epochs
    double warmupRatio = 0.1;
    int64_t warmupSteps = 0;             // > 0 overrides warmup_ratio
    std::string lrSchedulerType = "linear";  // linear | cosine | constant_with_warmup | constant
    double weightDecay = 0.0;
    double adamBeta1 = 0.9, adamBeta2 = 0.999, adamEpsilon = 1e-8;
    double maxGradNorm = 1.0;            // <= 0: no clipping
    uint64_t seed = 42;
    int64_t loggingSteps = 10;
    int64_t saveSteps = 500;             // 0: no intermediate checkpoints
    int64_t saveTotalLimit = 0;          // 0: keep every checkpoint
    int64_t cutoffLen = 1024;            // tokens per example (longer ones are truncated)
    bool packing = false;        // micro-batch units are bins of examples up to cutoff_len tokens
    bool groupByLength = false;  // micro-batches of examples of similar length

    // Evaluation: a seeded split of the data rows (val_size < 1: a fraction, >= 1: a count; 0:
    // none), evaluated every eval_steps steps (0: at the end of every epoch).
    double valSize = 0.0;
    int64_t evalSteps = 0;
    int64_t earlyStoppingPatience = 0;   // evaluations without improvement before stopping; 0: off
    double earlyStoppingThreshold = 0.0; // an improvement must lower the eval loss by more than this
    std::string device = "auto";         // auto | cpu | cuda
    // The frozen base's block projections: fp32 | bf16 | q8_0 | q4_0 | nf4 (ft/baseprecision.h),
    // dequantised per layer on the fly; other than fp32 only under lora, ia3 or prompt_tuning.
    std::string basePrecision = "fp32";
    // Under torchrun: 0 every rank holds the whole AdamW state; 1 (ZeRO stage 1) each rank holds
    // and updates its share of the parameters' state, then sends the updated weights to the others.
    int zeroStage = 0;
    // Keep only each block's input for backward and run the block again there (transformers'
    // gradient_checkpointing): activation memory drops to about one block's, for about a third
    // more compute.
    bool gradientCheckpointing = false;

    nlohmann::json toJson() const;
    nlohmann::json freezeJson() const;
    nlohmann::json progressiveJson() const;
};

// Parses a run configuration. Every problem found (unknown keys, wrong types, out-of-range
// values) is collected and thrown together as one ft::Error(BadInput) naming `origin`.
// Relative paths (model, data, output_dir) are resolved against `baseDir` when it is not empty.
TrainingConfig parseTrainingConfig(const nlohmann::json &json, const std::string &origin,
                                   const std::filesystem::path &baseDir = {});
TrainingConfig loadTrainingConfig(const std::filesystem::path &file);

struct TrainingStepInfo
{
    int64_t step = 0;          // 1-based optimiser step just finished
    int64_t totalSteps = 0;
    double epoch = 0.0;        // fractional epoch (as the Trainer logs it)
    double loss = 0.0;         // this step's loss: token-weighted mean over its micro-batches
    // The mean of the step losses since the previous logging step, this one included: at a
    // logging step (logged) it is the value written as "loss" to metrics.jsonl, as transformers'
    // Trainer logs tr_loss / steps since the last log.
    double windowLoss = 0.0;
    int64_t windowSteps = 0;   // steps in that window
    bool logged = false;       // this step wrote a metrics.jsonl line (logging_steps, or last)
    double learningRate = 0.0;
    double gradNorm = 0.0;     // before clipping
    double tokensPerSecond = 0.0;
    double elapsedSeconds = 0.0;
    double etaSeconds = 0.0;
    int64_t memoryBytes = 0;   // the process's resident set size now
    // The stage's own measures of this step under TRL's names (dpo / orpo: "rewards/chosen",
    // "rewards/rejected", "rewards/margins", "rewards/accuracies", "logps/chosen", ...); empty for
    // sft and pt.
    std::vector<std::pair<std::string, double>> stageMetrics;
};

struct TrainingEvalInfo
{
    int64_t step = 0;          // optimiser steps done when evaluated
    double epoch = 0.0;
    double loss = 0.0;         // token-weighted mean loss over the validation rows
    double perplexity = 0.0;   // exp(loss)
    int64_t tokens = 0;        // loss tokens evaluated
    double bestLoss = 0.0;     // the lowest eval loss so far (this one included)
    int64_t evalsWithoutImprovement = 0;
};

class TrainingObserver
{
public:
    virtual ~TrainingObserver() = default;
    virtual void onStep(const TrainingStepInfo &) {}
    virtual void onLog(const std::string &) {}
    virtual void onEval(const TrainingEvalInfo &) {}
};

struct TrainingResult
{
    int64_t steps = 0;          // optimiser steps done (in total, over resumes)
    bool stopped = false;       // the stop token was set (a checkpoint was written)
    bool earlyStopped = false;  // early stopping ended the run (a checkpoint was written)
    std::string stopReason;     // why an early stop happened
    double lastLoss = 0.0;
    std::filesystem::path finalDir;  // output_dir/final (empty when stopped)
};

class Trainer
{
public:
    // Loads the model and the data and checks what needs both (batch size vs. rows, LoRA
    // targets); throws one ft::Error(BadInput) listing every problem. `resumeRunDir`: an earlier
    // run's output_dir; training continues from its latest checkpoint and writes there.
    explicit Trainer(TrainingConfig config, const std::filesystem::path &resumeRunDir = {},
                     TrainingObserver *observer = nullptr);
    ~Trainer();
    Trainer(const Trainer &) = delete;
    Trainer &operator=(const Trainer &) = delete;

    const TrainingConfig &config() const;
    int64_t totalSteps() const;
    int64_t exampleCount() const;
    int64_t badRowCount() const;

    // Trains to the end (or until *stop becomes true: then a checkpoint is written and the
    // result says stopped). While *pause is true the loop waits between optimiser steps
    // (checking stop every ~50 ms). A non-finite loss stops with an ft::Error naming the step.
    TrainingResult run(TrainingObserver *observer = nullptr, const std::atomic<bool> *stop = nullptr,
                       const std::atomic<bool> *pause = nullptr);
    int64_t validationCount() const;
    // The project row ids (rows.id) of the training and validation examples, in data order;
    // empty unless the data is a project dataset. Also written to output_dir/data_rows.json.
    const std::vector<int64_t> &trainRowIds() const;
    const std::vector<int64_t> &evalRowIds() const;

    // Times forward + backward of the first micro-batch of the first epoch (the real data at
    // the real cutoff, under the configured strategy) without an optimiser step; gradients are
    // cleared after, nothing is written. A step does gradient_accumulation_steps of these.
    struct MicroBatchTiming
    {
        double seconds = 0.0;
        int64_t rows = 0;
        int64_t tokens = 0;
    };
    MicroBatchTiming timeFirstMicroBatch();

    // Staged runs: before run(), the trainable weights from `weightsDir` (what an earlier
    // Trainer's saveTrainedWeights wrote; ignored when resuming from a checkpoint); after it, the
    // trainable weights into `dir` (written through a temporary folder).
    void startFrom(const std::filesystem::path &weightsDir);
    void saveTrainedWeights(const std::filesystem::path &dir) const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// What a run will take, told before it starts (ft/trainer.h's Trainer does the work): the real
// plan of steps for the data, and one optimiser step's time from a measured micro-batch. Loads
// a copy of the model and the data (in a background thread in the window); BadInput as the
// Trainer throws it.
struct StepTimeEstimate
{
    int64_t totalSteps = 0;
    int64_t examples = 0;            // training examples (after the validation split)
    int64_t validationExamples = 0;
    double microBatchSeconds = 0.0;  // the measured forward + backward
    int64_t microBatchRows = 0;
    int64_t microBatchTokens = 0;
    int64_t microBatchesPerStep = 0;
    double stepSeconds = 0.0;        // microBatchSeconds x microBatchesPerStep
    double runSeconds = 0.0;         // stepSeconds x totalSteps
};
// `timedPasses`: micro-batch passes timed after one warm-up pass (the median is used).
StepTimeEstimate estimateStepTime(const TrainingConfig &config, int timedPasses = 1);

// A staged run (config.stages not empty): stage K trains in output_dir/stage-K-<stage> as its own
// Trainer run, starting from the weights stage K-1 trained, with a fresh optimizer and schedule;
// the last stage's final folder becomes output_dir/final. `resumeRunDir`: the run's output_dir;
// finished stages are skipped, an interrupted one continues from its latest checkpoint.
TrainingResult runStages(const TrainingConfig &config, const std::filesystem::path &resumeRunDir = {},
                         TrainingObserver *observer = nullptr, const std::atomic<bool> *stop = nullptr,
                         const std::atomic<bool> *pause = nullptr);
// Stage `index`'s own configuration (its stage, data and overrides; output_dir its folder).
TrainingConfig stageConfig(const TrainingConfig &config, size_t index, const std::filesystem::path &runDir);

// The latest output_dir/checkpoint-N of a run; throws BadInput when there is none.
std::filesystem::path latestCheckpoint(const std::filesystem::path &runDir);

// Exports a finished run (runDir/final): "peft" copies the adapter folder; "merged" loads the
// base model, merges the adapter (LoRA) or takes the trained weights (full) and writes a
// Hugging Face folder (config.json, model.safetensors, tokenizer files).
void exportRun(const std::filesystem::path &runDir, const std::string &format,
               const std::filesystem::path &outDir);

} // namespace ft
