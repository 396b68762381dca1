#include "model/ia3config.h"

#include "ft/error.h"
#include "util/userregex.h"

#include <algorithm>

namespace ft {
namespace {

bool endsWith(const std::string &text, const std::string &suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool fullMatch(const std::string &text, const std::string &pattern, const char *field)
{
    return UserRegex(pattern, std::string("IA3 ") + field).fullMatch(text);
}

bool isEmptyLike(const nlohmann::json &v)
{
    return v.is_null() || ((v.is_object() || v.is_array()) && v.empty());
}

// A list of names or one regex string (peft's Union[list[str], str]); null leaves both empty.
void readNamesOrRegex(const nlohmann::json &j, const char *key, std::vector<std::string> &names,
                      std::optional<std::string> &regex, const std::string &origin)
{
    if (!j.contains(key) || j[key].is_null())
        return;
    const nlohmann::json &v = j[key];
    if (v.is_string())
        regex = v.get<std::string>();
    else if (v.is_array() && std::all_of(v.begin(), v.end(), [](const auto &x) { return x.is_string(); }))
        names = v.get<std::vector<std::string>>();
    else
        throwBadInput(origin + ": " + key + " must be a list of names or a string");
}

} // namespace

bool Ia3Config::isTarget(const std::string &module) const
{
    // peft.tuners.tuners_utils.check_target_module_exists.
    if (allLinear())
        return true;  // the caller only asks about the decoder layers' linear maps
    if (targetRegex)
        return fullMatch(module, *targetRegex, "target_modules");
    for (const std::string &target : targetModules)
        if (module == target || endsWith(module, "." + target))
            return true;
    return false;
}

bool Ia3Config::isFeedforward(const std::string &module) const
{
    // peft.tuners.ia3.model.IA3Model._check_target_module_feedforward: a plain endswith.
    if (feedforwardRegex)
        return fullMatch(module, *feedforwardRegex, "feedforward_modules");
    for (const std::string &name : feedforwardModules)
        if (endsWith(module, name))
            return true;
    return false;
}

void Ia3Config::applyDefaults(const ModelConfig &config)
{
    // peft.utils.constants.TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING and
    // TRANSFORMERS_MODELS_TO_IA3_FEEDFORWARD_MODULES_MAPPING.
    const bool gpt2 = config.family == ArchitectureFamily::Gpt2;
    if (!targetRegex && targetModules.empty()) {
        if (gpt2)
            targetModules = {"c_attn", "mlp.c_proj"};
        else if (config.modelType == "qwen2")
            targetModules = {"q_proj", "v_proj", "down_proj"};
        else
            targetModules = {"k_proj", "v_proj", "down_proj"};  // llama, mistral
    }
    if (!feedforwardRegex && feedforwardModules.empty())
        feedforwardModules = {gpt2 ? "mlp.c_proj" : "down_proj"};
}

nlohmann::json Ia3Config::toJson(const std::vector<std::string> &resolvedTargets,
                                 bool fanInFanOut) const
{
    nlohmann::json j;
    j["peft_type"] = "IA3";
    j["task_type"] = "CAUSAL_LM";
    j["base_model_name_or_path"] = baseModelNameOrPath.empty() ? nlohmann::json(nullptr)
                                                               : nlohmann::json(baseModelNameOrPath);
    if (allLinear())
        j["target_modules"] = resolvedTargets;
    else if (targetRegex)
        j["target_modules"] = *targetRegex;
    else
        j["target_modules"] = targetModules;
    if (feedforwardRegex)
        j["feedforward_modules"] = *feedforwardRegex;
    else
        j["feedforward_modules"] = feedforwardModules;
    j["fan_in_fan_out"] = fanInFanOut;
    j["init_ia3_weights"] = initIa3Weights;
    j["exclude_modules"] = nullptr;
    j["modules_to_save"] = nullptr;
    j["inference_mode"] = true;
    j["revision"] = nullptr;
    j["auto_mapping"] = nullptr;
    return j;
}

Ia3Config Ia3Config::fromJson(const nlohmann::json &j, const std::string &origin)
{
    auto bad = [&](const std::string &what) { throwBadInput(origin + ": " + what); };
    if (!j.is_object())
        bad("not a JSON object");
    if (j.value("peft_type", std::string()) != "IA3")
        bad("peft_type is '" + j.value("peft_type", std::string()) + "', not IA3");
    if (j.contains("task_type") && j["task_type"].is_string() && j["task_type"] != "CAUSAL_LM")
        bad("task_type '" + j["task_type"].get<std::string>() + "' is not CAUSAL_LM");
    Ia3Config c;
    readNamesOrRegex(j, "target_modules", c.targetModules, c.targetRegex, origin);
    readNamesOrRegex(j, "feedforward_modules", c.feedforwardModules, c.feedforwardRegex, origin);
    if (j.contains("init_ia3_weights") && j["init_ia3_weights"].is_boolean())
        c.initIa3Weights = j["init_ia3_weights"].get<bool>();
    if (j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string())
        c.baseModelNameOrPath = j["base_model_name_or_path"].get<std::string>();
    for (const char *key : {"exclude_modules", "modules_to_save"})
        if (j.contains(key) && !isEmptyLike(j[key]))
            bad(std::string(key) + " is not supported");
    // IA3Config.__post_init__: feed-forward names must be among the target names.
    if (!c.targetRegex && !c.feedforwardRegex && !c.targetModules.empty())
        for (const std::string &name : c.feedforwardModules)
            if (std::find(c.targetModules.begin(), c.targetModules.end(), name) ==
                c.targetModules.end())
                bad("feedforward_modules must be a subset of target_modules ('" + name +
                    "' is not a target)");
    return c;
}

} // namespace ft
