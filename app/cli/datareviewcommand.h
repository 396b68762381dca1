// data review: the quality review of a project dataset (docs/quality-review.md).
#pragma once

#include "commands.h"

namespace ftcli {

// Registers `review` under the `data` subcommand.
void addDataReviewCommand(CLI::App &data, Runner &run);

} // namespace ftcli
