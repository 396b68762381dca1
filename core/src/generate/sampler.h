// Picks the next token from logits with transformers' processors in transformers' order:
// repetition penalty, then temperature, top-k and top-p when sampling.
#pragma once

#include "ft/generation.h"

#include <torch/types.h>

#include <random>
#include <vector>

namespace ft {

class Sampler
{
public:
    explicit Sampler(const GenerationOptions &options);
    // logits: (V) fp32; history: prompt and generated ids (for the repetition penalty).
    int32_t next(torch::Tensor logits, const std::vector<int32_t> &history);

private:
    const GenerationOptions &m_options;
    std::mt19937_64 m_rng;
};

} // namespace ft
