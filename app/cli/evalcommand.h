// finetune-cli eval: score a model (optionally with a tuned adapter) on an evaluation task.
// The subcommand is shared by tasks: `--task benchmark` (multiple-choice benchmarks, the
// default; benchmarkevaloptions in evalcommand.cpp) and `--task domain` (domain metrics, added
// by an add...EvalOptions function of its own file and listed in addEvalCommand).
#pragma once

#include "commands.h"

#include <cstdint>
#include <functional>
#include <string>

namespace ftcli {

// Options every task reads; registered once on the `eval` subcommand.
struct EvalCommonArgs
{
    std::string model;
    std::string adapter; // a PEFT adapter folder or a run's output_dir
    bool json = false;
    int limit = 0; // questions / rows per subject; 0 = all
    uint64_t seed = 0;
    // The project the results are stored in (domain: also where the rows come from).
    std::string project;
    std::string split; // "": the task's default (benchmark test, domain validation)
    // Benchmark: a subject's questions scored together; domain: rows generated together.
    int batchSize = 8;
};

// A task adds its own options to `eval` and returns what runs it.
using EvalTaskRunner = std::function<void(const EvalCommonArgs &)>;

EvalTaskRunner addBenchmarkEvalOptions(CLI::App &eval);
// --task domain: scores a predictions file (evaldomaincommand.cpp).
EvalTaskRunner addDomainEvalOptions(CLI::App &eval);

// The PEFT adapter folder for --adapter: the folder itself, or a finished run's final/ (as
// `finetune-cli export --run` finds it). BadInput naming the path otherwise.
std::string resolveAdapterFolder(const std::string &adapterOrRun);

} // namespace ftcli
