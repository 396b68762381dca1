// finetune-cli template: render a conversation with a model's chat template (or a built-in one),
// tokenize it and print the loss mask.
#pragma once

#include "commands.h"

namespace ftcli {

void addTemplateCommand(CLI::App &app, Runner &run);

} // namespace ftcli
