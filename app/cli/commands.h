// finetune-cli subcommands. Each registers its options on the CLI11 app and runs later; a
// failure throws ft::Error (BadInput -> exit 2, Internal -> exit 1).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace ftcli {

using Runner = std::function<void()>;

// Registers info, tokenize, logits, generate and convert; the returned runner of the chosen
// subcommand is stored in `run`.
void addModelCommands(CLI::App &app, Runner &run);
// memory: the training memory estimate (memorycommand.cpp).
void addMemoryCommand(CLI::App &app, Runner &run);
// stats: votes' win rate, Wilson interval and sign test (evaldomaincommand.cpp).
void addStatsCommand(CLI::App &app, Runner &run);
// eval: benchmarks and domain metrics (evalcommand.cpp).
void addEvalCommand(CLI::App &app, Runner &run);
// report: a run's evaluation report as HTML (reportcommand.cpp).
void addReportCommand(CLI::App &app, Runner &run);
// gguf-tensor: a GGUF tensor dequantised to float32 (ggufcommands.cpp).
void addGgufCommands(CLI::App &app, Runner &run);
// demo: the demo project the welcome page opens (democommand.cpp).
void addDemoCommand(CLI::App &app, Runner &run);
// recipe: a run as a LLaMA-Factory cluster recipe (recipecommand.cpp).
void addRecipeCommand(CLI::App &app, Runner &run);
// compact-base: a model with a compact frozen base, inspected (compactbasecommand.cpp).
void addCompactBaseCommand(CLI::App &app, Runner &run);

} // namespace ftcli
