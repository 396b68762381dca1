// Prompt-tuning settings (Lester et al. 2021, arXiv:2104.08691) as PEFT's PromptTuningConfig
// (adapter_config.json, task_type CAUSAL_LM) states them.
#pragma once

#include "model/modelconfig.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ft {

struct PromptTuningConfig
{
    int numVirtualTokens = 0;
    // PEFT's prompt_tuning_init: "RANDOM" (normal(0, 1), nn.Embedding's default), "TEXT" (the
    // embeddings of initText's tokens, repeated or cut to numVirtualTokens) or "SAMPLE_VOCAB"
    // (read only: what matters after training is the saved tensor).
    std::string init = "RANDOM";
    std::string initText;
    std::string tokenizerNameOrPath;  // written for TEXT (PEFT requires it)
    std::string baseModelNameOrPath;

    // adapter_config.json as PEFT writes it (token_dim, num_layers, ... from the model).
    nlohmann::json toJson(const ModelConfig &model) const;
    // Throws ft::Error(BadInput) naming `origin` for what this engine cannot apply.
    static PromptTuningConfig fromJson(const nlohmann::json &json, const std::string &origin);
};

} // namespace ft
