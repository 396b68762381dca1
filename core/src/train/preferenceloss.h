// The preference stages' losses over a micro-batch of pairs, as TRL 1.16 computes them.
// Each pair is two sequences, prompt + chosen and prompt + rejected, that share the prompt's
// computation (one forked segment, model/segmentfork.h), laid end to end with the batch's other
// pairs in one padding-free row (as train/flatbatch.h does for sft); lm_head runs only at the
// positions that predict an answer token (and, for ORPO, the chosen prompt).
//   DPO (Rafailov et al. 2023; trl.DPOTrainer): log-probs summed over the answer tokens, for the
//   policy and for the reference = the same weights with the adapters switched off (no second
//   copy; no gradient); loss -logsigmoid(beta * ((pc - rc) - (pr - rr))) (loss_type "sigmoid") or
//   robust DPO's label-smoothed form, mean over pairs; rewards beta * (policy - reference).
//   ORPO (Hong et al. 2024; trl.experimental.orpo.ORPOTrainer): the chosen sequences' NLL (mean
//   over all their predicted tokens, prompt included, as TRL takes it) minus beta * mean
//   logsigmoid(log odds ratio) of the length-averaged answer log-probs; no reference.
#pragma once

#include "ft/trainer.h"
#include "train/preferencebatch.h"

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace ft {

class Decoder;
class ReferenceCache;

using PairRefs = std::vector<const PreferencePair *>;

struct PreferenceLoss
{
    torch::Tensor loss;  // the micro-batch's loss (a mean over its pairs), with its graph
    // TRL's logged names -> the micro-batch's mean value.
    std::vector<std::pair<std::string, double>> metrics;
};

// referenceCache: the pairs' reference log-probs from earlier epochs (train/referencecache.h), or null.
PreferenceLoss dpoLoss(const Decoder &decoder, const PairRefs &pairs, const PreferenceOptions &options,
                       ReferenceCache *referenceCache = nullptr);
PreferenceLoss orpoLoss(const Decoder &decoder, const PairRefs &pairs, const PreferenceOptions &options);

// Token count of a micro-batch (both sequences of every pair), for tokens/s.
int64_t preferenceTokenCount(const PairRefs &pairs);

} // namespace ft
