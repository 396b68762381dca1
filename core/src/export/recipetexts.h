// The texts of a cluster recipe besides the YAML and the data: DeepSpeed's ZeRO-2 / ZeRO-3
// configuration (the "auto" values transformers' DeepSpeed integration fills from the training
// arguments, as LLaMA-Factory's examples/deepspeed use them) and the README with the launch
// commands.
#pragma once

#include "ft/clusterrecipe.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ft {

// The file name LLaMA-Factory's examples use: ds_z2_config.json / ds_z3_config.json.
std::string deepSpeedConfigName(DeepSpeedStage stage);
nlohmann::ordered_json deepSpeedConfig(DeepSpeedStage stage);

struct RecipeReadme
{
    std::string yamlFile;
    std::string model;
    std::string stage, finetuningType, templateName;
    int64_t trainRows = 0, evalRows = 0;
    DeepSpeedStage deepSpeed = DeepSpeedStage::None;
    std::vector<RecipeWarning> warnings;
};

std::string recipeReadme(const RecipeReadme &r);

} // namespace ft
