#include "model/prompttuningconfig.h"

#include "ft/error.h"

namespace ft {

namespace {

nlohmann::json orNull(const std::string &s)
{
    return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

} // namespace

nlohmann::json PromptTuningConfig::toJson(const ModelConfig &model) const
{
    nlohmann::json j;
    j["peft_type"] = "PROMPT_TUNING";
    j["task_type"] = "CAUSAL_LM";
    j["base_model_name_or_path"] = orNull(baseModelNameOrPath);
    j["num_virtual_tokens"] = numVirtualTokens;
    j["token_dim"] = model.hiddenSize;
    j["num_transformer_submodules"] = 1;
    j["num_attention_heads"] = model.numHeads;
    j["num_layers"] = model.numLayers;
    j["prompt_tuning_init"] = init;
    j["prompt_tuning_init_text"] = init == "TEXT" ? orNull(initText) : nlohmann::json(nullptr);
    j["tokenizer_name_or_path"] = init == "TEXT" ? orNull(tokenizerNameOrPath)
                                                 : nlohmann::json(nullptr);
    j["tokenizer_kwargs"] = nullptr;
    j["modules_to_save"] = nullptr;
    j["inference_mode"] = true;
    j["revision"] = nullptr;
    j["auto_mapping"] = nullptr;
    return j;
}

PromptTuningConfig PromptTuningConfig::fromJson(const nlohmann::json &j, const std::string &origin)
{
    auto bad = [&](const std::string &what) { throwBadInput(origin + ": " + what); };
    if (!j.is_object())
        bad("not a JSON object");
    if (j.value("peft_type", std::string()) != "PROMPT_TUNING")
        bad("peft_type is '" + j.value("peft_type", std::string()) + "', not PROMPT_TUNING");
    if (j.contains("task_type") && j["task_type"].is_string() && j["task_type"] != "CAUSAL_LM")
        bad("task_type '" + j["task_type"].get<std::string>() + "' is not CAUSAL_LM");
    PromptTuningConfig c;
    if (!j.contains("num_virtual_tokens") || !j["num_virtual_tokens"].is_number_integer())
        bad("num_virtual_tokens must be an integer");
    c.numVirtualTokens = j["num_virtual_tokens"].get<int>();
    if (c.numVirtualTokens < 1)
        bad("num_virtual_tokens must be positive");
    if (j.contains("num_transformer_submodules") && j["num_transformer_submodules"].is_number() &&
        j["num_transformer_submodules"].get<int>() != 1)
        bad("num_transformer_submodules must be 1 for a causal LM");
    auto str = [&](const char *key, std::string &out) {
        if (j.contains(key) && j[key].is_string())
            out = j[key].get<std::string>();
    };
    str("prompt_tuning_init", c.init);
    str("prompt_tuning_init_text", c.initText);
    str("tokenizer_name_or_path", c.tokenizerNameOrPath);
    str("base_model_name_or_path", c.baseModelNameOrPath);
    if (j.contains("modules_to_save") && !j["modules_to_save"].is_null() &&
        !(j["modules_to_save"].is_array() && j["modules_to_save"].empty()))
        bad("modules_to_save is not supported");
    return c;
}

} // namespace ft
