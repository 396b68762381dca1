// ZeRO stage 1 (Rajbhandari et al., arXiv:1910.02054; PyTorch's ZeroRedundancyOptimizer): the
// AdamW state is shared out among the ranks. Every rank still sums the whole gradient (so the
// clipping norm is the same everywhere), but each updates only the parameters it owns, keeping
// AdamW state for those alone, then each owner broadcasts its updated parameters to the others.
//
// Ownership: the optimizer's parameters in order, each to the rank that owns the fewest elements
// so far (ties: the lower rank). A parameter's owner depends only on those before it, so the
// groups progressive unfreezing appends never move an existing state to another rank.
//
// Checkpoints hold the whole state: `gatherToLead` copies every other rank's state into rank 0's
// optimizer for the save (`releaseGathered` drops it again), and `dropOthersState` keeps only
// this rank's share of a loaded (whole) state, whatever world size wrote it.
#pragma once

#include "train/optimizerstatekey.h"

#include <torch/optim/adamw.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ft {

class DataParallel;

// The owner rank of each of parameters of these element counts.
std::vector<int> zeroOwners(const std::vector<int64_t> &numels, int worldSize);

class ZeroStage1
{
public:
    explicit ZeroStage1(DataParallel &group) : m_group(group) {}

    // After the gradients are summed and clipped, before optimizer.step(): drops the gradients
    // of the parameters other ranks own (AdamW skips a parameter without one, and keeps no
    // state for it).
    void dropOthersGradients(torch::optim::AdamW &optimizer) const;
    // After optimizer.step(): each owner's parameters copied to every rank.
    void shareUpdatedParameters(torch::optim::AdamW &optimizer);
    // Every rank calls these together; rank 0's optimizer then holds the whole state.
    void gatherToLead(torch::optim::AdamW &optimizer);
    void releaseGathered(torch::optim::AdamW &optimizer);
    void dropOthersState(torch::optim::AdamW &optimizer) const;

    // The AdamW state elements this rank holds (exp_avg + exp_avg_sq): for tests and the log.
    static int64_t stateElements(torch::optim::AdamW &optimizer);

private:
    std::vector<torch::Tensor> parameters(torch::optim::AdamW &optimizer) const;
    std::vector<int> owners(const std::vector<torch::Tensor> &parameters) const;

    DataParallel &m_group;
    std::vector<OptimizerStateKey> m_gathered;  // state keys rank 0 holds only for a save
};

} // namespace ft
