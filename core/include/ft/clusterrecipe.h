// The hand-off to a cluster: one of our run configurations written as a recipe that existing
// engines run (LLaMA-Factory's training YAML, its dataset_info.json and the data as JSONL, a
// DeepSpeed ZeRO config and a README with the launch commands). Nothing is trained here. What
// LLaMA-Factory cannot express is refused (BadInput naming the field) or mapped with a named
// warning. Torch-free; see docs/cluster.md.
#pragma once

#include "ft/runexport.h"
#include "ft/trainer.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ft {

enum class DeepSpeedStage { None, Zero2, Zero3 };

// "" / "none", "zero2", "zero3"; BadInput listing the choices otherwise.
DeepSpeedStage parseDeepSpeedStage(const std::string &name);

struct ClusterRecipeOptions
{
    std::string target = "llamafactory";  // the only engine written today
    DeepSpeedStage deepSpeed = DeepSpeedStage::None;
    bool bf16 = true;            // a cluster's GPUs; off for a CPU smoke test
    std::string modelId;         // model_name_or_path instead of the run's model (a hub id, a path there)
    std::string templateName;    // LLaMA-Factory's template instead of the one mapped from ours
    std::string origin;          // the run configuration's file name, for messages
    bool overwrite = false;      // replace an existing folder (only once the new one is complete)
    // Progress while the rows are written, and a stop flag (ft::Error Cancelled, nothing left behind).
    ExportCallbacks callbacks;
};

struct RecipeWarning
{
    std::string code;     // stable name, e.g. "packing", "early_stopping"
    std::string message;  // what was changed or left out, and why
};

struct ClusterRecipe
{
    std::filesystem::path folder;
    std::vector<std::string> files;       // relative names, sorted
    std::string stage;                    // LLaMA-Factory's stage: sft, pt, dpo
    std::string finetuningType;           // lora, freeze, full
    std::string llamaFactoryTemplate;     // empty for stage pt
    int64_t trainRows = 0;                // rows written to the training JSONL
    int64_t evalRows = 0;                 // rows written to the evaluation JSONL (eval_split)
    int64_t skippedRows = 0;              // malformed rows left out (as the trainer skips them)
    std::vector<RecipeWarning> warnings;
};

// Writes the recipe into `outDir` through a temporary folder renamed into place. BadInput when the
// run uses what LLaMA-Factory cannot express (IA3, prompt tuning, progressive unfreezing, staged
// runs, a GGUF base, ...), when no template matches, or when `outDir` exists and !overwrite.
ClusterRecipe writeClusterRecipe(const TrainingConfig &config, const ClusterRecipeOptions &options,
                                 const std::filesystem::path &outDir);

} // namespace ft
