// DPO's reference log-probs per pair, computed the first time a pair trains and reused in later
// epochs (TRL's precompute_ref_log_probs, done lazily). The reference is the base without the
// adapter: while no base weight trains (applies()), a pair's reference log-probs never change,
// so the cached value is the one a new reference pass would give (to float rounding).
#pragma once

#include "train/preferenceloss.h"

#include <torch/types.h>

#include <unordered_map>
#include <utility>

namespace ft {

class Decoder;

class ReferenceCache
{
public:
    // True when no base weight of the decoder requires grad (the reference cannot drift).
    static bool applies(const Decoder &decoder);

    // The pairs the cache does not hold yet.
    PairRefs missing(const PairRefs &pairs) const;
    // chosen and rejected (B): the reference log-probs of `pairs`, in order.
    void store(const PairRefs &pairs, const torch::Tensor &chosen, const torch::Tensor &rejected);
    // (B) chosen and rejected log-probs of pairs that are all cached, as `like`'s dtype and device.
    std::pair<torch::Tensor, torch::Tensor> lookup(const PairRefs &pairs, const torch::Tensor &like) const;

private:
    std::unordered_map<const PreferencePair *, std::pair<double, double>> m_logps;
};

} // namespace ft
