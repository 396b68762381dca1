// What a training strategy decides for the Trainer loop (train/trainer.cpp): which tensors train,
// how they are saved in checkpoints and the final folder, and when the trainable set changes.
// One implementation per strategy (fullstrategy.cpp, lorastrategy.cpp, freezestrategy.cpp, ...);
// makeTrainableStrategy picks one from TrainingConfig::strategy.
//
// The loop's contract with a strategy:
//   1. constructed after the model is loaded (it may attach adapters to the model's weights and
//      must detach them in its destructor: the base model is shared);
//   2. on resume: restoreState(checkpoint's "strategy_state"), then loadWeights(checkpoint);
//   3. the loop builds AdamW from groups() (each group: a decay and a no-decay param group, lr =
//      learning_rate * lrFactor), then setTraining(true);
//   4. before every optimiser step: onStepBoundary(); when it returns true, groups() has new
//      groups at its end and the loop adds them to the optimizer (fresh AdamW state);
//   5. checkpoints: saveWeights(dir) + state() (written into trainer_state.json);
//   6. at the end writeFinal(output_dir/final), then setTraining(false).
#pragma once

#include "train/adamwfactory.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ft {

class Model;
struct Ia3Config;
struct LoraConfig;
struct TrainingConfig;

// Tensors that join the optimizer together, under the names checkpoints save them with.
struct TrainableGroup
{
    NamedTensors parameters;
    double lrFactor = 1.0;  // this group's lr = learning_rate * lrFactor * schedule
    std::string label;      // for log lines ("stage 1: blocks 2-3")
};

// Where the loop stands before an optimiser step.
struct StepBoundary
{
    int64_t stepsDone = 0;     // optimiser steps finished so far
    int64_t totalSteps = 0;
    int64_t epoch = 0;         // 0-based epoch the next step belongs to
    int64_t stepsPerEpoch = 0;
};

class TrainableStrategy
{
public:
    virtual ~TrainableStrategy() = default;

    // The trainable groups, in the order they joined (group 0 trains from the start).
    const std::vector<TrainableGroup> &groups() const { return m_groups; }
    // Every trainable tensor, groups flattened in order.
    NamedTensors trainableParameters() const;
    int64_t trainableParameterCount() const;

    // true: trainable tensors require grad (and adapters apply dropout); false: nothing does.
    virtual void setTraining(bool training) = 0;
    // The trainable tensors into a checkpoint folder, and back from one (same names, in place).
    virtual void saveWeights(const std::filesystem::path &dir) const = 0;
    virtual void loadWeights(const std::filesystem::path &dir) = 0;
    // The run's result (output_dir/final): what `finetune-cli export` reads.
    virtual void writeFinal(const std::filesystem::path &dir) const = 0;

    // Called before every optimiser step; true when groups() gained groups (progressive
    // unfreezing). `log` receives a line describing the change.
    virtual bool onStepBoundary(const StepBoundary &, std::string &log)
    {
        (void)log;
        return false;
    }
    // What a checkpoint must record to rebuild the same groups() on resume (null: nothing).
    virtual nlohmann::json state() const { return nullptr; }
    virtual void restoreState(const nlohmann::json &state) { (void)state; }

protected:
    std::vector<TrainableGroup> m_groups;
};

// The strategy named by config.strategy over `model`'s weights. Problems that need the model
// (LoRA targets matching nothing, freeze blocks out of range, ...) are appended to `problems`
// and null is returned.
std::unique_ptr<TrainableStrategy> makeTrainableStrategy(const TrainingConfig &config, Model &model,
                                                         std::vector<std::string> &problems);

// Each implementation's constructor function (one file each).
std::unique_ptr<TrainableStrategy> makeFullStrategy(const TrainingConfig &config, Model &model,
                                                    std::vector<std::string> &problems);
std::unique_ptr<TrainableStrategy> makeLoraStrategy(const TrainingConfig &config, Model &model,
                                                    std::vector<std::string> &problems);
std::unique_ptr<TrainableStrategy> makeFreezeStrategy(const TrainingConfig &config, Model &model,
                                                      std::vector<std::string> &problems);
std::unique_ptr<TrainableStrategy> makeProgressiveStrategy(const TrainingConfig &config, Model &model,
                                                           std::vector<std::string> &problems);
// "ia3" and "prompt_tuning" (adapterstrategies.cpp).
std::unique_ptr<TrainableStrategy> makeIa3Strategy(const TrainingConfig &config, Model &model,
                                                   std::vector<std::string> &problems);
std::unique_ptr<TrainableStrategy> makePromptTuningStrategy(const TrainingConfig &config,
                                                            Model &model,
                                                            std::vector<std::string> &problems);

// The peft LoraConfig that config.lora describes (throws BadInput for what it cannot be).
LoraConfig loraConfigFor(const TrainingConfig &config);
// The peft IA3Config that config.ia3 describes (adapterstrategies.cpp).
Ia3Config ia3ConfigFor(const TrainingConfig &config);

// Helpers shared by the strategies that train base weights (full, freeze, progressive).
// model.safetensors holding `parameters` (checkpoints), or every weight + the base's config /
// tokenizer files (final folders: a loadable Hugging Face model).
void saveNamedTensors(const std::filesystem::path &file, const NamedTensors &parameters);
void writeFullModelFolder(const std::filesystem::path &dir, const Model &model,
                          const std::string &basePath);

} // namespace ft
