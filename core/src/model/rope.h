// Rotary position embeddings as transformers computes them (non-interleaved halves,
// "rotate_half"), with the default, linear and llama3 frequency rules.
#pragma once

#include "model/modelconfig.h"

#include <torch/types.h>

namespace ft {

class Rope
{
public:
    Rope() = default;
    explicit Rope(const ModelConfig &config);

    // positions: (B, T) int64 -> cos and sin, each (B, T, 1, D), fp32.
    std::pair<torch::Tensor, torch::Tensor> cosSin(const torch::Tensor &positions) const;
    // x: (B, T, H, D); cos/sin from cosSin.
    static torch::Tensor apply(const torch::Tensor &x, const torch::Tensor &cos,
                               const torch::Tensor &sin);

private:
    torch::Tensor m_invFreq;  // (D/2)
};

} // namespace ft
