// planTraining: the trainable parts of a model under a configuration, computed with the same
// selection code the strategies use (train/partselection.h, LoraConfig::matches,
// Ia3Model::selectTargets).
#include "ft/modelstructure.h"

#include "ft/error.h"
#include "ft/model.h"
#include "ft/trainer.h"
#include "model/ia3model.h"
#include "model/loraconfig.h"
#include "model/modelimpl.h"
#include "train/partselection.h"
#include "train/runfiles.h"
#include "train/trainablestrategy.h"

#include <torch/torch.h>

#include <algorithm>
#include <set>

using nlohmann::json;

namespace ft {
namespace {

void markTrainable(const ModelStructure &s, TrainingPlan &plan, const std::vector<std::string> &names,
                   int stage)
{
    const std::set<std::string> chosen(names.begin(), names.end());
    for (size_t i = 0; i < s.parts.size(); ++i) {
        PartTraining &p = plan.parts[i];
        for (const auto &name : s.parts[i].parameterNames) {
            if (!chosen.count(name))
                continue;
            if (stage == 0) {
                p.trainable = true;
                p.trainableNames.push_back(name);
            }
            if (p.stage < 0 || stage < p.stage)
                p.stage = stage;
        }
    }
}

int64_t countOf(const Model &model, const std::vector<std::string> &names)
{
    int64_t n = 0;
    for (const auto &name : names)
        n += model.impl().weights.named.at(name).numel();
    return n;
}

} // namespace

TrainingPlan planTraining(const TrainingConfig &config, const Model &model)
{
    const ModelStructure s = describeModel(model);
    const Model::Impl &m = model.impl();
    TrainingPlan plan;
    plan.strategy = config.strategy;
    plan.totalParameters = s.totalParameters;
    for (const auto &part : s.parts) {
        PartTraining p;
        p.id = part.id;
        plan.parts.push_back(std::move(p));
    }
    std::vector<std::string> problems;
    std::vector<std::vector<std::string>> stageNames;  // progressive: who joins at each stage
    if (config.strategy == "full") {
        std::vector<std::string> all;
        for (const auto &[name, t] : m.weights.named)
            all.push_back(name);
        markTrainable(s, plan, all, 0);
    } else if (config.strategy == "freeze") {
        markTrainable(s, plan, freezeSelection(config, s, problems), 0);
    } else if (config.strategy == "progressive") {
        const auto stages = progressiveStages(config.progressive, s, problems);
        for (size_t i = 0; i < stages.size(); ++i) {
            markTrainable(s, plan, stages[i].names, int(i));
            stageNames.push_back(stages[i].names);
        }
    } else if (config.strategy == "lora") {
        try {
            LoraConfig lc = loraConfigFor(config);
            if (!lc.targetRegex && lc.targetModules.empty())
                lc.targetModules = LoraConfig::defaultTargets(m.config);
            bool any = false;
            for (size_t i = 0; i < s.parts.size(); ++i)
                for (const auto &module : s.parts[i].linearModules) {
                    if (!lc.matches(module, s.parts[i].block, true))
                        continue;
                    const torch::Tensor &w = m.weights.named.at(module + ".weight");
                    plan.parts[i].loraModules.push_back(module);
                    plan.parts[i].loraParameters += int64_t(lc.r) * (w.size(0) + w.size(1));
                    plan.parts[i].trainable = true;
                    plan.parts[i].stage = 0;
                    plan.trainableParameters += int64_t(lc.r) * (w.size(0) + w.size(1));
                    any = true;
                }
            if (!any)
                problems.push_back("lora.target_modules: LoRA target_modules match no module of this " +
                                   m.config.modelType + " model");
        } catch (const Error &e) {
            problems.push_back(std::string("lora: ") + e.what());
        }
    } else if (config.strategy == "ia3") {
        try {
            for (const Ia3Model::Target &t : Ia3Model::selectTargets(m.config, m.weights, ia3ConfigFor(config)))
                for (size_t i = 0; i < s.parts.size(); ++i) {
                    const auto &modules = s.parts[i].linearModules;
                    if (std::find(modules.begin(), modules.end(), t.module) == modules.end())
                        continue;
                    const int64_t n = t.feedforward ? t.in : t.out;
                    plan.parts[i].adapterModules.push_back(t.module);
                    plan.parts[i].adapterParameters += n;
                    plan.parts[i].trainable = true;
                    plan.parts[i].stage = 0;
                    plan.trainableParameters += n;
                }
        } catch (const Error &e) {
            problems.push_back(std::string("ia3.target_modules: ") + e.what());
        }
    } else if (config.strategy == "prompt_tuning") {
        // peft's PromptEmbedding: num_virtual_tokens x token_dim (the hidden size), one
        // transformer submodule for a causal LM; they enter where the embeddings do.
        const PromptTuningOptions &pt = config.promptTuning;
        if (pt.numVirtualTokens < 1)
            problems.push_back("prompt_tuning.num_virtual_tokens must be positive (got " +
                               std::to_string(pt.numVirtualTokens) + ")");
        else if (pt.init == "text" && pt.initText.empty())
            problems.push_back("prompt_tuning: init \"text\" needs a non-empty init_text");
        else {
            PartTraining &embed = plan.parts.front();
            embed.adapterParameters = int64_t(pt.numVirtualTokens) * m.config.hiddenSize;
            embed.trainable = true;
            embed.stage = 0;
            plan.trainableParameters = embed.adapterParameters;
        }
    } else {
        problems.push_back("strategy: unknown strategy '" + config.strategy + "'");
    }
    if (!problems.empty())
        throwBadInput(joinProblems("training configuration", problems));

    const bool adapter = config.strategy == "lora" || config.strategy == "ia3" || config.strategy == "prompt_tuning";
    if (!adapter) {
        for (size_t i = 0; i < plan.parts.size(); ++i)
            plan.parts[i].trainableParameters = countOf(model, plan.parts[i].trainableNames);
        for (const auto &part : plan.parts)
            plan.trainableParameters += part.trainableParameters;
        int64_t sum = 0;
        for (const auto &names : stageNames) {
            sum += countOf(model, names);
            plan.stageTrainableParameters.push_back(sum);
        }
        // A tied lm_head has no parameters of its own; it trains when the embeddings do.
        const ModelPart &head = s.parts.back();
        if (head.tied) {
            plan.parts.back().trainable = plan.parts.front().trainable;
            plan.parts.back().stage = plan.parts.front().stage;
        }
    }
    // A compact frozen base (base_precision) holds the Llama blocks' projections.
    if (adapter && config.basePrecision != "fp32" && m.config.family != ArchitectureFamily::Gpt2)
        for (size_t i = 0; i < plan.parts.size(); ++i)
            if (s.parts[i].kind == "attention" || s.parts[i].kind == "mlp")
                plan.parts[i].baseFormat = config.basePrecision;
    return plan;
}

} // namespace ft
