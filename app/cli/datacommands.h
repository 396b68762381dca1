// data import / list / split / export / rows / set-status / edit: the project store from the
// command line (docs/datasets.md).
#pragma once

#include "commands.h"

namespace ftcli {

// Registers `data` and its subcommands; returns the `data` subcommand so that later commands
// (data review) can add themselves to it.
CLI::App *addDataCommands(CLI::App &app, Runner &run);

} // namespace ftcli
