// LoRA hyper-parameters and which modules they apply to, as PEFT's LoraConfig
// (adapter_config.json) states them.
#pragma once

#include "model/modelconfig.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ft {

struct LoraConfig
{
    int r = 8;
    double alpha = 8.0;
    double dropout = 0.0;
    // PEFT's target_modules: a list of names (a module matches when its full name equals one or
    // ends with "." + one), or one string that is a regex the full name must match whole, or the
    // string "all-linear" (every linear map in the decoder layers; never lm_head). Empty list and
    // no regex: PEFT's default for the model type (q_proj + v_proj; GPT-2 c_attn).
    std::vector<std::string> targetModules;
    std::optional<std::string> targetRegex;  // the string form (includes "all-linear")
    bool useRslora = false;
    bool useDora = false;  // DoRA: a trained magnitude per output row (model/loraadapter.h)
    std::vector<int> layersToTransform;      // empty: all; applies to the list form only (as PEFT)
    std::string baseModelNameOrPath;

    bool allLinear() const { return targetRegex && *targetRegex == "all-linear"; }
    // alpha / r, or alpha / sqrt(r) with rsLoRA (Kalajdzievski 2023, arXiv:2312.03732).
    double scale() const;
    // Whether the module with full HF name `module` in decoder layer `layer` (-1: none) gets an
    // adapter. `linearInLayer`: it is one of the layer's linear maps (what all-linear takes).
    bool matches(const std::string &module, int layer, bool linearInLayer) const;

    // adapter_config.json as PEFT writes it. `resolvedTargets`: what to write for "all-linear"
    // (PEFT writes the names it resolved); fanInFanOut: true for GPT-2's Conv1D.
    nlohmann::json toJson(const std::vector<std::string> &resolvedTargets, bool fanInFanOut) const;
    // Throws ft::Error(BadInput) naming `origin` for what this engine cannot apply (DoRA,
    // rank/alpha patterns, trained biases, non-LORA types, ...).
    // DoRA: refuses a target_modules name that is an embedding or lm_head (the engine's DoRA is
    // for the decoder layers' linear maps).
    static LoraConfig fromJson(const nlohmann::json &json, const std::string &origin);
    // The first of `targets` that names an embedding or lm_head (what DoRA cannot target
    // here), or "".
    static std::string nonLinearTarget(const std::vector<std::string> &targets);
    // PEFT's default target_modules for a model type.
    static std::vector<std::string> defaultTargets(const ModelConfig &config);
};

} // namespace ft
