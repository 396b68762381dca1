// One optimiser step of the Trainer loop over its micro-batches (gradient accumulation), in the
// order transformers' Trainer takes it: the scheduled lr, zero grads, per micro-batch forward +
// summed loss / the step's loss tokens (num_items_in_batch) + backward, the global gradient norm
// (clipped), the AdamW update, zero grads.
#pragma once

#include "train/flatbatch.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ft {

class DataParallel;
class ZeroStage1;
class Decoder;
class OptimizerGroups;

struct StepOutcome
{
    double loss = 0.0;      // token-weighted mean over the step's micro-batches
    double gradNorm = 0.0;  // before clipping
    // The stage's own measures (preference stages: TRL's names), averaged over the step.
    std::vector<std::pair<std::string, double>> metrics;
};

// `lossTokens`: the loss-bearing tokens of all the micro-batches (of all ranks). A non-finite
// loss throws ft::Error(Internal) naming the step (1-based `stepNumber`) before any weight
// changes. `dataParallel`: `microBatches` are this rank's share of the step; the loss and the
// gradients are summed over the ranks before clipping and the update. `zero`: this rank updates
// only its share of the parameters, then the ranks exchange the updated ones (ZeRO stage 1).
StepOutcome accumulatedStep(const Decoder &decoder, const std::vector<ExampleRefs> &microBatches,
                            int64_t lossTokens, OptimizerGroups &optimizer, double lrFactor,
                            double maxGradNorm, const std::string &device, int64_t stepNumber,
                            DataParallel *dataParallel = nullptr, ZeroStage1 *zero = nullptr);

} // namespace ft
