// The "stages" list of a run configuration (TrainingConfig::stages): read with the same
// collect-every-problem rules as the rest of trainingconfig.cpp, and written back.
#pragma once

#include "ft/trainer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ft {

// Reads doc["stages"] (when present) into c.stages; problems appended, prefixed "stages[i].".
void parseStages(const nlohmann::json &doc, TrainingConfig &c, std::vector<std::string> &problems);
// Relative stage data paths against baseDir, as the run's own data.
void resolveStagePaths(TrainingConfig &c, const std::filesystem::path &baseDir);
nlohmann::json stagesJson(const std::vector<TrainingStageSpec> &stages);

} // namespace ft
