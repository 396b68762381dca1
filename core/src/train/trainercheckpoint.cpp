// Checkpoints of a run (output_dir/checkpoint-N): the strategy's weights, the optimizer state,
// the CPU RNG (under torchrun every rank's, gathered by rank 0), and trainer_state.json (position in the data, strategy and eval state, logging
// window), written through a temporary folder; and the way back from one.
#include "dist/dataparallel.h"
#include "dist/zerostage1.h"
#include "ft/error.h"
#include "train/earlystopping.h"
#include "train/optimizergroups.h"
#include "train/runfiles.h"
#include "train/trainerimpl.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <mutex>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

torch::Tensor cpuRngState()
{
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return gen.get_state();
}

// Rank r's dropout draws continue from its own state: rank 0 keeps rng_state.pt's name, the
// others' are rng_state_rank<r>.pt.
std::string rngFileName(int rank)
{
    return rank == 0 ? "rng_state.pt" : "rng_state_rank" + std::to_string(rank) + ".pt";
}

} // namespace

void Trainer::Impl::saveCheckpoint(const TrainingPosition &at, OptimizerGroups &optimizer,
                                   const EarlyStopping &evals, TrainingObserver *observer) const
{
    // Every rank's RNG state, row r from rank r (the others' rows are zeros before the sum).
    std::vector<torch::Tensor> rngs{cpuRngState()};
    if (dataParallel) {
        torch::Tensor all = torch::zeros({worldSize(), rngs[0].numel()}, torch::kDouble);
        all[rank()].copy_(rngs[0].to(torch::kDouble));
        const std::vector<double> values(all.data_ptr<double>(), all.data_ptr<double>() + all.numel());
        const std::vector<double> summed = dataParallel->sumOverRanks(values);
        rngs.clear();
        for (int r = 0; r < worldSize(); ++r)
            rngs.push_back(torch::tensor(std::vector<double>(summed.begin() + r * all.size(1),
                                                             summed.begin() + (r + 1) * all.size(1)))
                               .to(torch::kUInt8));
    }
    // zero_stage 1: the whole optimizer state on rank 0 for the save (a checkpoint resumes with
    // any world size, or in one process).
    struct Gathered
    {
        ZeroStage1 *zero;
        torch::optim::AdamW &optimizer;
        ~Gathered()
        {
            if (zero)
                zero->releaseGathered(optimizer);
        }
    } gathered{zero.get(), optimizer.optimizer()};
    if (zero)
        zero->gatherToLead(optimizer.optimizer());
    if (!writes())  // rank 0 checkpoints for all (the ranks hold the same weights)
        return;
    const fs::path target = outDir / ("checkpoint-" + std::to_string(at.step));
    writeFolderAtomically(target, [&](const fs::path &dir) {
        strategy->saveWeights(dir);
        torch::save(optimizer.optimizer(), (dir / "optimizer.pt").string());
        for (size_t r = 0; r < rngs.size(); ++r)
            torch::save(rngs[r], (dir / rngFileName(static_cast<int>(r))).string());
        const json state = {{"global_step", at.step},
                            {"epoch", at.epoch},
                            {"next_batch", at.nextBatch},
                            {"total_steps", totalSteps},
                            {"world_size", worldSize()},
                            {"micro_batches_per_step", microBatchesPerStep()},
                            {"strategy", config.strategy},
                            {"strategy_state", strategy->state()},
                            {"eval", evals.toJson()},
                            {"log_window", {{"loss_sum", window.lossSum}, {"steps", window.steps}}}};
        writeText(dir / "trainer_state.json", state.dump(2) + "\n");
        writeText(dir / "training_config.json", config.toJson().dump(2) + "\n");
    });
    log(observer, "saved " + target.string());
    if (config.saveTotalLimit > 0) {
        auto all = listCheckpoints(outDir);
        while (static_cast<int64_t>(all.size()) > config.saveTotalLimit) {
            fs::remove_all(all.front());
            all.erase(all.begin());
        }
    }
}

void Trainer::startFrom(const fs::path &weightsDir)
{
    m_impl->startWeights = weightsDir;
}

void Trainer::saveTrainedWeights(const fs::path &dir) const
{
    writeFolderAtomically(dir, [&](const fs::path &tmp) { m_impl->strategy->saveWeights(tmp); });
}

json Trainer::Impl::readResumeState() const
{
    if (resumeFrom.empty())
        return nullptr;
    json state = json::parse(readText(resumeFrom / "trainer_state.json", "trainer state"));
    if (state.value("strategy", config.strategy) != config.strategy)
        throwBadInput(resumeFrom.string() + ": the checkpoint was trained with strategy '" +
                      state.value("strategy", std::string()) + "'");
    // The trainable set as it was at the checkpoint (progressive stages), before the optimizer
    // is built, so that the saved optimizer state fits its groups.
    strategy->restoreState(state.value("strategy_state", json()));
    return state;
}

void Trainer::Impl::resume(const json &state, TrainingPosition &at, OptimizerGroups &optimizer,
                           EarlyStopping &evals)
{
    at.step = state.at("global_step").get<int64_t>();
    at.epoch = state.at("epoch").get<int64_t>();
    at.nextBatch = state.at("next_batch").get<int64_t>();
    if (state.contains("eval"))
        evals.restore(state["eval"]);
    if (state.contains("log_window") && state["log_window"].is_object()) {
        window.lossSum = state["log_window"].value("loss_sum", 0.0);
        window.steps = state["log_window"].value("steps", int64_t(0));
    }
    strategy->loadWeights(resumeFrom);
    torch::load(optimizer.optimizer(), (resumeFrom / "optimizer.pt").string(), torch::Device(device));
    if (zero)  // the checkpoint holds every rank's share
        zero->dropOthersState(optimizer.optimizer());
    // This rank's own state when the checkpoint has one (the same world size), else rank 0's.
    torch::Tensor rng;
    const fs::path own = resumeFrom / rngFileName(rank());
    torch::load(rng, (fs::exists(own) ? own : resumeFrom / "rng_state.pt").string());
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng);
}

} // namespace ft
