// The README.md every export carries: Hugging Face hub front matter (base_model, library_name,
// tags) and what a reader needs to trust and use the files: base model, data, strategy and
// hyper-parameters, final loss, evaluation results (the run folder's eval_*.json), usage.
#pragma once

#include "ft/runexport.h"
#include "ft/trainer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ft {

struct ModelCardInput
{
    std::filesystem::path runDir;
    std::filesystem::path source;  // final/ or checkpoint-N
    TrainingConfig config;
    ExportFormat format = ExportFormat::Peft;
    std::string ggufType;
    std::vector<std::string> files;  // what the export holds
    ExportReadBack readBack;
};

// The hub name of the base model: config.json's _name_or_path when it is a hub id
// ("org/name"), else the folder's (or .gguf file's) name.
std::string baseModelName(const std::filesystem::path &baseModel);

std::string modelCard(const ModelCardInput &input);

} // namespace ft
