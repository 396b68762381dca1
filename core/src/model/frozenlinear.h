// Linear maps over a frozen base weight kept compact (model/frozenmatrix.h): the weight is
// dequantised into one reused float32 buffer per thread for the forward GEMM, and again for
// the backward one (the input's gradient needs W^T g), so no float32 copy of the base outlives
// a single projection's GEMM. The same results as frozenLinear / frozenLinearLowRank
// (model/trainingops.h) over the dequantised weight.
#pragma once

#include "model/frozenmatrix.h"

#include <torch/types.h>

namespace ft {

// x @ W^T + b.
torch::Tensor compactLinear(const torch::Tensor &x, const FrozenMatrix &weight,
                            const torch::Tensor &bias);
// x @ W^T + b + (x @ A^T) @ B^T: LoRA on the compact base, A (R, in), B (out, R).
torch::Tensor compactLinearLowRank(const torch::Tensor &x, const FrozenMatrix &weight,
                                   const torch::Tensor &bias, const torch::Tensor &a,
                                   const torch::Tensor &b);

} // namespace ft
