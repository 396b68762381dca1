#include "model/loraconfig.h"

#include "ft/error.h"
#include "util/userregex.h"

#include <cmath>

namespace ft {

double LoraConfig::scale() const
{
    return useRslora ? alpha / std::sqrt(double(r)) : alpha / double(r);
}

bool LoraConfig::matches(const std::string &module, int layer, bool linearInLayer) const
{
    if (allLinear())
        return linearInLayer;
    if (targetRegex) {
        // peft.tuners.tuners_utils.check_target_module_exists: re.fullmatch for a string.
        return UserRegex(*targetRegex, "LoRA target_modules").fullMatch(module);
    }
    for (const std::string &target : targetModules)
        if (module == target)
            return true;  // an exact name: layers_to_transform does not apply (as PEFT)
    bool found = false;
    for (const std::string &target : targetModules) {
        if (module.size() > target.size() &&
            module.compare(module.size() - target.size(), target.size(), target) == 0 &&
            module[module.size() - target.size() - 1] == '.') {
            found = true;
            break;
        }
    }
    if (found && !layersToTransform.empty()) {
        found = false;
        for (int l : layersToTransform)
            found = found || l == layer;
    }
    return found;
}

nlohmann::json LoraConfig::toJson(const std::vector<std::string> &resolvedTargets,
                                  bool fanInFanOut) const
{
    nlohmann::json j;
    j["peft_type"] = "LORA";
    j["task_type"] = "CAUSAL_LM";
    j["base_model_name_or_path"] = baseModelNameOrPath.empty() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(baseModelNameOrPath);
    j["r"] = r;
    j["lora_alpha"] = alpha;
    j["lora_dropout"] = dropout;
    if (allLinear())
        j["target_modules"] = resolvedTargets;
    else if (targetRegex)
        j["target_modules"] = *targetRegex;
    else
        j["target_modules"] = targetModules;
    j["layers_to_transform"] = layersToTransform.empty() ? nlohmann::json(nullptr)
                                                         : nlohmann::json(layersToTransform);
    j["layers_pattern"] = nullptr;
    j["fan_in_fan_out"] = fanInFanOut;
    j["bias"] = "none";
    j["use_rslora"] = useRslora;
    j["use_dora"] = useDora;
    j["lora_bias"] = false;
    j["modules_to_save"] = nullptr;
    j["init_lora_weights"] = true;
    j["inference_mode"] = true;
    j["rank_pattern"] = nlohmann::json::object();
    j["alpha_pattern"] = nlohmann::json::object();
    j["revision"] = nullptr;
    j["auto_mapping"] = nullptr;
    return j;
}

namespace {

bool isEmptyLike(const nlohmann::json &v)
{
    return v.is_null() || ((v.is_object() || v.is_array()) && v.empty());
}

} // namespace

LoraConfig LoraConfig::fromJson(const nlohmann::json &j, const std::string &origin)
{
    auto bad = [&](const std::string &what) { throwBadInput(origin + ": " + what); };
    if (!j.is_object())
        bad("not a JSON object");
    if (j.value("peft_type", std::string()) != "LORA")
        bad("peft_type is '" + j.value("peft_type", std::string()) + "'; only LORA adapters "
            "can be loaded");
    LoraConfig c;
    try {
        c.r = j.at("r").get<int>();
        if (j.contains("lora_alpha") && !j["lora_alpha"].is_null())
            c.alpha = j["lora_alpha"].get<double>();
        else
            c.alpha = 8.0;  // PEFT's default
        if (j.contains("lora_dropout") && !j["lora_dropout"].is_null())
            c.dropout = j["lora_dropout"].get<double>();
        c.useRslora = j.value("use_rslora", false);
        if (j.contains("use_dora") && !j["use_dora"].is_null())
            c.useDora = j["use_dora"].get<bool>();
        if (j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string())
            c.baseModelNameOrPath = j["base_model_name_or_path"].get<std::string>();
        const nlohmann::json &targets = j.contains("target_modules") ? j["target_modules"]
                                                                     : nlohmann::json(nullptr);
        if (targets.is_string())
            c.targetRegex = targets.get<std::string>();
        else if (targets.is_array())
            c.targetModules = targets.get<std::vector<std::string>>();
        else if (!targets.is_null())
            bad("target_modules must be a list of names or a string");
        if (j.contains("layers_to_transform")) {
            const nlohmann::json &layers = j["layers_to_transform"];
            if (layers.is_number_integer())
                c.layersToTransform = {layers.get<int>()};
            else if (layers.is_array())
                c.layersToTransform = layers.get<std::vector<int>>();
        }
    } catch (const nlohmann::json::exception &e) {
        bad(std::string("invalid LoRA config (") + e.what() + ")");
    }
    if (c.r <= 0)
        bad("r must be positive");
    if (c.useDora) {
        const std::string t = nonLinearTarget(c.targetModules);
        if (!t.empty())
            bad("use_dora: target '" + t + "' is not a linear map of a decoder layer (DoRA "
                "applies to the layers' linear maps, not to embeddings or lm_head)");
    }
    if (j.value("lora_bias", false))
        bad("adapters with a trained LoRA bias (lora_bias) are not supported");
    if (j.contains("bias") && j["bias"].is_string() && j["bias"] != "none")
        bad("bias '" + j["bias"].get<std::string>() + "' is not supported (only \"none\")");
    for (const char *key : {"rank_pattern", "alpha_pattern", "modules_to_save", "layer_replication",
                            "target_parameters", "trainable_token_indices",
                            "exclude_modules"})
        if (j.contains(key) && !isEmptyLike(j[key]))
            bad(std::string(key) + " is not supported");
    if (j.contains("task_type") && j["task_type"].is_string() && j["task_type"] != "CAUSAL_LM")
        bad("task_type '" + j["task_type"].get<std::string>() + "' is not CAUSAL_LM");
    return c;
}

std::string LoraConfig::nonLinearTarget(const std::vector<std::string> &targets)
{
    for (const std::string &t : targets)
        for (const std::string name : {"embed_tokens", "wte", "wpe", "lm_head"})
            if (t == name || (t.size() > name.size() &&
                              t.compare(t.size() - name.size() - 1, std::string::npos,
                                        "." + name) == 0))
                return t;
    return {};
}

std::vector<std::string> LoraConfig::defaultTargets(const ModelConfig &config)
{
    // peft.utils.constants.TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING
    if (config.family == ArchitectureFamily::Gpt2)
        return {"c_attn"};
    return {"q_proj", "v_proj"};
}

} // namespace ft
