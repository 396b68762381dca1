// The data of a cluster recipe: the run's rows (a data file, or a project dataset's non-excluded
// rows of the train split) as JSONL in the layout LLaMA-Factory reads (ShareGPT with OpenAI-style
// role/content tags; {"text"} documents for pt; ranking pairs for dpo / orpo), and the
// dataset_info.json entry that describes each file.
#pragma once

#include "ft/clusterrecipe.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ft {

struct RecipeDataFile
{
    std::string datasetName;     // the key in dataset_info.json
    std::string fileName;        // train.jsonl, eval.jsonl
    int64_t rows = 0;
    int64_t skipped = 0;         // malformed rows (and tied / identical pairs) left out
    std::string firstProblem;    // the first skipped row's problem, for the warning
};

struct RecipeData
{
    RecipeDataFile train;
    RecipeDataFile eval;         // rows == 0 and datasetName empty: no evaluation split
    nlohmann::ordered_json datasetInfo;
    bool alpacaInputMerged = false;  // an Alpaca row's input was joined to its instruction
};

// Writes train.jsonl (and eval.jsonl for eval_split) into `dir`; BadInput when no usable row is
// left.
RecipeData writeRecipeData(const TrainingConfig &config, const std::filesystem::path &dir,
                           const ExportCallbacks &callbacks = {});

} // namespace ft
