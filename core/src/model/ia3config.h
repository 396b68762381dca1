// (IA)^3 settings and which modules they apply to, as PEFT's IA3Config (adapter_config.json)
// states them.
#pragma once

#include "model/modelconfig.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ft {

struct Ia3Config
{
    // PEFT's target_modules: names (a module matches when its full name equals one or ends with
    // "." + one), one regex string the full name must match whole, or "all-linear". Empty list
    // and no regex: PEFT's default for the model type.
    std::vector<std::string> targetModules;
    std::optional<std::string> targetRegex;
    // PEFT's feedforward_modules: the targets whose input (not output) is scaled. A list (a
    // target is feed-forward when its name ends with one, as PEFT's plain endswith) or a regex.
    // Empty list and no regex: PEFT's default for the model type.
    std::vector<std::string> feedforwardModules;
    std::optional<std::string> feedforwardRegex;
    bool initIa3Weights = true;  // true: ones (the model is unchanged); false: randn
    std::string baseModelNameOrPath;

    bool allLinear() const { return targetRegex && *targetRegex == "all-linear"; }
    // Whether the decoder-layer linear map with full HF name `module` gets a vector.
    bool isTarget(const std::string &module) const;
    bool isFeedforward(const std::string &module) const;
    // Fills empty target / feed-forward lists with PEFT's defaults for this model type.
    void applyDefaults(const ModelConfig &config);

    // adapter_config.json as PEFT writes it; `resolvedTargets` is written for "all-linear".
    nlohmann::json toJson(const std::vector<std::string> &resolvedTargets, bool fanInFanOut) const;
    // Throws ft::Error(BadInput) naming `origin` for what this engine cannot apply.
    static Ia3Config fromJson(const nlohmann::json &json, const std::string &origin);
};

} // namespace ft
