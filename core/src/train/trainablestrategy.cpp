// The strategy factory and the file helpers the weight-training strategies share.
#include "train/trainablestrategy.h"

#include "ft/model.h"
#include "ft/trainer.h"
#include "io/safetensorswriter.h"
#include "model/modelimpl.h"
#include "train/runfiles.h"

#include <torch/torch.h>

namespace fs = std::filesystem;

namespace ft {

NamedTensors TrainableStrategy::trainableParameters() const
{
    NamedTensors all;
    for (const auto &group : m_groups)
        all.insert(all.end(), group.parameters.begin(), group.parameters.end());
    return all;
}

int64_t TrainableStrategy::trainableParameterCount() const
{
    int64_t n = 0;
    for (const auto &group : m_groups)
        for (const auto &[name, t] : group.parameters)
            n += t.numel();
    return n;
}

std::unique_ptr<TrainableStrategy> makeTrainableStrategy(const TrainingConfig &config, Model &model,
                                                         std::vector<std::string> &problems)
{
    if (config.strategy == "lora")
        return makeLoraStrategy(config, model, problems);
    if (config.strategy == "full")
        return makeFullStrategy(config, model, problems);
    if (config.strategy == "freeze")
        return makeFreezeStrategy(config, model, problems);
    if (config.strategy == "progressive")
        return makeProgressiveStrategy(config, model, problems);
    if (config.strategy == "ia3")
        return makeIa3Strategy(config, model, problems);
    if (config.strategy == "prompt_tuning")
        return makePromptTuningStrategy(config, model, problems);
    problems.push_back("strategy: unknown strategy '" + config.strategy + "'");
    return nullptr;
}

void saveNamedTensors(const fs::path &file, const NamedTensors &parameters)
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto &[name, t] : parameters)
        tensors.emplace_back(name, t.detach().contiguous());
    writeSafetensors(file, tensors, {{"format", "pt"}});
}

void writeFullModelFolder(const fs::path &dir, const Model &model, const std::string &basePath)
{
    NamedTensors all;
    for (const auto &[name, t] : model.impl().weights.named)
        all.emplace_back(name, t);
    saveNamedTensors(dir / "model.safetensors", all);
    copyModelSideFiles(basePath, dir);
}

} // namespace ft
