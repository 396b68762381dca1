// The Trainer under torchrun (several processes, data parallel): its place among the ranks, the
// automatic resume after torchrun restarts the group, the process group, the rank's share of a
// step. See docs/cluster.md.
#include "dist/dataparallel.h"
#include "dist/zerostage1.h"
#include "ft/error.h"
#include "train/runfiles.h"
#include "train/trainerimpl.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

int Trainer::Impl::worldSize() const { return launch ? launch->worldSize : 1; }
int Trainer::Impl::rank() const { return launch ? launch->rank : 0; }

void Trainer::Impl::readLaunch(const fs::path &resumeRunDir)
{
    launch = torchrunLaunch();
    accumulation = config.gradientAccumulationSteps;
    // torchrun --max-restarts starts every rank again with the same command line: continue
    // from rank 0's last checkpoint (one on shared storage when the ranks span machines).
    if (launch && launch->restartCount > 0 && resumeRunDir.empty() && resumeFrom.empty() &&
        !listCheckpoints(outDir).empty()) {
        resumeFrom = latestCheckpoint(outDir);
        dataLog.push_back("torchrun restart " + std::to_string(launch->restartCount) + ": resuming from " +
                          resumeFrom.string());
    }
    if (resumeFrom.empty())
        return;
    // A checkpoint of another world size: the same global batch (micro-batches per step), in
    // a different number of micro-batches per rank.
    const json state = json::parse(readText(resumeFrom / "trainer_state.json", "trainer state"), nullptr, false);
    if (!state.is_object() || !state.contains("micro_batches_per_step"))
        return;
    const int64_t global = state.value("micro_batches_per_step", int64_t(0));
    const int64_t before = state.value("world_size", int64_t(1));
    if (before == worldSize() || global <= 0)
        return;
    if (global % worldSize() != 0)
        throwBadInput(resumeFrom.string() + ": the checkpoint's global batch is " + std::to_string(global) +
                      " micro-batches per step (" + std::to_string(before) + " processes), which " +
                      std::to_string(worldSize()) + " processes cannot share evenly; resume with a world size that " +
                      "divides " + std::to_string(global));
    accumulation = global / worldSize();
    dataLog.push_back("resuming a run of " + std::to_string(before) + " processes with " +
                      std::to_string(worldSize()) + ": " + std::to_string(accumulation) +
                      " micro-batches per process and step keep its global batch");
}

void Trainer::Impl::joinProcessGroup(std::vector<std::string> &problems)
{
    if (worldSize() <= 1)
        return;
    if (config.stage == "dpo" || config.stage == "orpo") {
        problems.push_back("stage: \"" + config.stage +
                           "\" trains in one process only for now (start it without torchrun)");
        return;
    }
    static int groupsJoined = 0;  // a staged run joins once per stage, on every rank alike
    dataParallel = std::make_unique<DataParallel>(*launch, device, DataParallel::timeoutFromEnvironment(),
                                                  "trainer-" + std::to_string(groupsJoined++));
    dataLog.push_back("data parallel: rank " + std::to_string(rank()) + " of " + std::to_string(worldSize()) +
                      " (Gloo), global batch " + std::to_string(config.perDeviceTrainBatchSize) + " x " +
                      std::to_string(accumulation) + " x " + std::to_string(worldSize()) +
                      " (per device x accumulation x processes); rank 0 writes the run folder");
    if (config.zeroStage == 1) {
        zero = std::make_unique<ZeroStage1>(*dataParallel);
        dataLog.push_back("zero_stage 1: each of the " + std::to_string(worldSize()) +
                          " processes keeps the AdamW state of its share of the parameters");
    }
}

std::vector<ExampleRefs> Trainer::Impl::rankShare(std::vector<ExampleRefs> stepMicroBatches) const
{
    if (worldSize() <= 1)
        return stepMicroBatches;
    std::vector<ExampleRefs> share;
    for (size_t i = static_cast<size_t>(rank()); i < stepMicroBatches.size(); i += static_cast<size_t>(worldSize()))
        share.push_back(std::move(stepMicroBatches[i]));
    return share;
}

bool Trainer::Impl::anyRankStops(bool stopHere) const
{
    if (!dataParallel)
        return stopHere;
    return dataParallel->sumOverRanks({stopHere ? 1.0 : 0.0}).front() > 0.0;
}

void Trainer::Impl::exitIfTestAsks(int64_t step) const
{
    const char *hook = std::getenv("FT_TEST_RANK_EXIT");
    if (!hook || !launch || launch->restartCount > 0)
        return;
    int hookRank = -1;
    long long hookStep = -1;
    char how[8] = "";
    if (std::sscanf(hook, "%d:%lld:%7s", &hookRank, &hookStep, how) < 2 || hookRank != rank() || hookStep != step)
        return;
    const bool hang = std::string(how) == "hang";
    std::fprintf(stderr, "FT_TEST_RANK_EXIT: rank %d %s before step %lld\n", rank(), hang ? "hangs" : "exits",
                 static_cast<long long>(step + 1));
    std::fflush(stderr);
    while (hang)  // alive but silent, as a process stuck in I/O or swapped out
        std::this_thread::sleep_for(std::chrono::seconds(1));
    std::_Exit(3);
}

} // namespace ft
