// Our run configuration -> LLaMA-Factory's training arguments (the keys of its ModelArguments,
// DataArguments, FinetuningArguments and transformers' TrainingArguments), grouped as its
// examples group them, plus the YAML text. See docs/cluster.md for the table.
#pragma once

#include "ft/clusterrecipe.h"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ft {

struct LlamaFactoryArgs
{
    // ("model", {...}), ("method", {...}), ... in the order written.
    std::vector<std::pair<std::string, nlohmann::ordered_json>> sections;
    std::string stage;           // sft | pt | dpo
    std::string finetuningType;  // lora | freeze | full
    std::string templateName;    // LLaMA-Factory's; empty for pt
    std::vector<RecipeWarning> warnings;
};

// File names the arguments refer to (relative to the recipe folder, where it is launched).
struct RecipeFileNames
{
    std::string trainDataset = "train";
    std::string evalDataset;     // empty: none
    std::string deepSpeedConfig; // empty: none
    std::string outputDir = "output";
};

// BadInput naming the field for what LLaMA-Factory cannot express.
LlamaFactoryArgs mapToLlamaFactory(const TrainingConfig &config, const ClusterRecipeOptions &options,
                                   const RecipeFileNames &files);

// LLaMA-Factory's template for ours ("chatml", "llama3", "alpaca", or the model's own Jinja
// recognised by its markers); BadInput saying there is no match otherwise.
std::string llamaFactoryTemplateFor(const TrainingConfig &config, std::vector<RecipeWarning> &warnings);

// Block-style YAML, one "key: value" line per entry, a "### section" comment above each group.
// Floats always carry a '.' (PyYAML reads 2e-05 as a string); strings are double-quoted.
std::string llamaFactoryYaml(const LlamaFactoryArgs &args);

} // namespace ft
