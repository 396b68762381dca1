// One optimiser step of a preference stage (dpo / orpo) over its micro-batches of pairs, in the
// order of accumulatedstep.h: the scheduled lr, zero grads, per micro-batch the loss
// (train/preferenceloss.h) weighted by its share of the step's pairs + backward, the gradient norm
// (clipped), the AdamW update. The step's loss and metrics are the pair-weighted means (with equal
// micro-batches, transformers' loss / gradient_accumulation_steps).
#pragma once

#include "ft/trainer.h"
#include "train/accumulatedstep.h"
#include "train/preferenceloss.h"

#include <string>
#include <vector>

namespace ft {

// referenceCache: DPO's reference log-probs kept across epochs (train/referencecache.h), or null.
StepOutcome preferenceStep(const Decoder &decoder, const std::vector<PairRefs> &microBatches,
                           const std::string &stage, const PreferenceOptions &options, OptimizerGroups &optimizer,
                           double lrFactor, double maxGradNorm, const std::string &device, int64_t stepNumber,
                           ReferenceCache *referenceCache = nullptr);

} // namespace ft
