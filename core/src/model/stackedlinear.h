// Full fine-tuning of projections that read the same input (q/k/v, gate/up): their trainable
// weights are row views of one stacked matrix (model/decoderweights.cpp), so the group runs as
// one GEMM forward and two backward (the input's gradient and one weight gradient for the whole
// group, handed to each projection as its rows) instead of one per projection.
#pragma once

#include <torch/types.h>

#include <vector>

namespace ft {

// Whether trainableStackedLinear takes these: CPU float32, gradients recorded, every part's
// weight trains and is its rows of `stacked` in order, no biases.
bool trainableStackedLinearApplies(const torch::Tensor &x, const torch::Tensor &stacked,
                                   const std::vector<torch::Tensor> &weights,
                                   const std::vector<torch::Tensor> &biases);

// x @ stacked^T, its gradients going to `weights` (the row views of `stacked`) and to x.
torch::Tensor trainableStackedLinear(const torch::Tensor &x, const torch::Tensor &stacked,
                                     const std::vector<torch::Tensor> &weights);

} // namespace ft
