// finetune-cli train / export: run a fine-tuning job from a JSON configuration (full or LoRA),
// resume it, and export its result as a PEFT adapter or a merged Hugging Face folder.
#pragma once

#include "commands.h"

namespace ftcli {

void addTrainCommands(CLI::App &app, Runner &run);
// export (exportcommand.cpp).
void addExportCommand(CLI::App &app, Runner &run);
// layers (layerscommand.cpp).
void addLayersCommand(CLI::App &app, Runner &run);

} // namespace ftcli
