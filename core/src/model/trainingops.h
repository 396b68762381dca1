// Memory-lean autograd for the decoder's training forward pass. Each op computes what the plain
// LibTorch expression computes (to float rounding), but saves only what its backward needs:
//   frozenLinear   a linear map whose weight does not train keeps no copy of its input;
//   siluMul        silu(gate) * up keeps gate and up, not silu(gate) as well;
//   rotary         RoPE is linear in x: its backward needs only cos and sin;
//   rmsNormTrain   keeps the input and 1/rms, not the normalised copy;
//   frozenLinearLowRank  LoRA on frozen projections in one op per stacked group.
// Together they roughly halve the activations a LoRA step holds. On the CPU in float32 the
// element-wise ones run as single-pass loops (model/fusedkernels.h). Used only when autograd
// records (see useTrainingOps); inference keeps the plain expressions.
#pragma once

#include <torch/types.h>

namespace ft {

// True when x's graph is being recorded: the training path.
bool useTrainingOps(const torch::Tensor &x);

// x @ W^T + b (transposedWeight: x @ W + b, GPT-2's Conv1D layout) for a weight and bias that
// do not require grad.
torch::Tensor frozenLinear(const torch::Tensor &x, const torch::Tensor &weight,
                           const torch::Tensor &bias, bool transposedWeight);
// x @ W^T + b + (x @ A^T) @ B^T for a frozen W (out, in), A (R, in), B (out, R): LoRA on a
// projection or a stacked group (model/decoder.cpp builds A and B). Saves x and the (N, R)
// intermediate; the adapter's add, scale and input-gradient sum cost no extra pass.
torch::Tensor frozenLinearLowRank(const torch::Tensor &x, const torch::Tensor &weight,
                                  const torch::Tensor &bias, const torch::Tensor &a,
                                  const torch::Tensor &b);
torch::Tensor siluMul(const torch::Tensor &gate, const torch::Tensor &up);
// siluMul over the two halves of gateUp (..., 2I) (the stacked gate/up projection's output);
// its gradient comes out in that layout, with no concatenation.
torch::Tensor siluMulStacked(const torch::Tensor &gateUp);
// x * cos + rotate_half(x) * sin, x: (B, T, H, D), cos/sin broadcastable (B, T, 1, D).
torch::Tensor rotary(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin);
// weight * (x * rsqrt(mean(x^2) + eps)); weight may train (full fine-tuning) or not.
torch::Tensor rmsNormTrain(const torch::Tensor &x, const torch::Tensor &weight, double eps);

} // namespace ft
