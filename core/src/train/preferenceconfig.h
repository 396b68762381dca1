// The preference stages' options in a run configuration (TrainingConfig::preference): TRL's
// DPOConfig / ORPOConfig names at the top level of run.json (beta, loss_type, label_smoothing),
// read with the collect-every-problem rules of trainingconfig.cpp, checked and written back.
#pragma once

#include "ft/trainer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ft {

// True for "dpo" and "orpo".
bool isPreferenceStage(const std::string &stage);

// Reads beta / loss_type / label_smoothing (and refuses max_prompt_length, which TRL 1.16 no
// longer has) into c.preference; c.stage and c.stages must already be read.
void parsePreferenceOptions(const nlohmann::json &doc, TrainingConfig &c, std::vector<std::string> &problems);
// What a preference stage cannot do with the rest of the configuration (the strategy without a
// reference for DPO, packing, a validation split, ...).
void checkPreferenceOptions(const TrainingConfig &c, std::vector<std::string> &problems);
// Adds the options to training_config.json when the run has a preference stage.
void addPreferenceJson(const TrainingConfig &c, nlohmann::json &out);

} // namespace ft
