// Exporting from one folder of a run: runDir/final or a checkpoint-N (the run's
// training_config.json names the base model). The public entry points in ft/trainer.h and
// ft/ggufexport.h take runDir/final.
#pragma once

#include "ft/ggufexport.h"

#include <filesystem>
#include <string>

namespace ft {

// As exportRun, from `source` (an adapter folder, or a whole Hugging Face folder for a full run).
// `forGguf`: the merged folder is only a step to a GGUF, so a GGUF base is accepted (the folder
// then holds config.json and model.safetensors; the tokenizer stays in the base GGUF).
void exportRunSource(const std::filesystem::path &runDir, const std::filesystem::path &source,
                     const std::string &format, const std::filesystem::path &outDir,
                     bool forGguf = false);

// As exportRunLoraGguf, from `source`.
GgufExportSummary exportLoraGguf(const std::filesystem::path &runDir,
                                 const std::filesystem::path &source,
                                 const std::filesystem::path &outDir);

} // namespace ft
