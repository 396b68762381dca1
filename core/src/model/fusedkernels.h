// One pass over memory for the element-wise parts of a training step on the CPU: SiLU-gate,
// RMSNorm and RoPE, forward and backward. Written as plain loops over rows (split across
// LibTorch's threads) because each LibTorch op is a full pass over (tokens x width) floats and
// these are memory-bound: RMSNorm's backward alone is seven such passes as LibTorch ops, one
// here. Float32 on the CPU only (see fusedKernelsApply); model/trainingops.cpp falls back to the
// plain expressions otherwise. Results agree with the plain expressions to float rounding.
#pragma once

#include <torch/types.h>

#include <utility>

namespace ft::fused {

// True when every tensor is a CPU float32 tensor whose last dimension is contiguous.
bool applies(std::initializer_list<torch::Tensor> tensors);

// silu(gate) * up; gate and up (..., I) of the same shape, any row layout.
torch::Tensor siluMul(const torch::Tensor &gate, const torch::Tensor &up);
// Gradients of silu(gate) * up: (..., 2I), the one for gate then the one for up, in the layout
// of the stacked gate/up projection output.
torch::Tensor siluMulBackward(const torch::Tensor &grad, const torch::Tensor &gate,
                              const torch::Tensor &up);

// weight * (x * rstd) with rstd = rsqrt(mean(x^2, -1) + eps); returns (output, rstd (..., 1)).
std::pair<torch::Tensor, torch::Tensor> rmsNorm(const torch::Tensor &x,
                                                const torch::Tensor &weight, double eps);
// The gradient for x of rmsNorm given rstd from the forward pass.
torch::Tensor rmsNormBackward(const torch::Tensor &grad, const torch::Tensor &x,
                              const torch::Tensor &weight, const torch::Tensor &rstd);

// x * cos + rotate_half(x) * sin for x (B, T, H, D) and cos/sin (B, T, 1, D); and its
// gradient for x (the transpose: the same with sin negated on the other half).
torch::Tensor rotary(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin);
torch::Tensor rotaryBackward(const torch::Tensor &grad, const torch::Tensor &cos,
                             const torch::Tensor &sin);

// Causal softmax in place over a (T, past + T) score matrix with rows `ld` floats apart (queries
// at positions past .. past + T - 1 over keys 0 .. past + T - 1): row i becomes
// softmax(scale * scores[i, 0..past + i]) followed by zeros.
void causalSoftmax(float *scores, int64_t T, int64_t ld, float scale, int64_t past = 0);
// Softmax in place of scale * row[0..length), zeros in row[length..width).
void softmaxRow(float *row, int64_t length, int64_t width, float scale);
// Its backward in place: gradProbs[i, j] becomes probs[i, j] * (gradProbs[i, j] - sum over
// the row of gradProbs * probs) * scale, zeros above the diagonal.
void causalSoftmaxBackward(float *gradProbs, const float *probs, int64_t T, int64_t ld, float scale,
                           int64_t past = 0);

// Sum over rows of cross_entropy(logits[r], targets[r]) for contiguous (rows, classes) logits;
// the logits become that sum's gradient, softmax - onehot(target), in place. One pass per row
// over memory that stays in cache instead of LibTorch's log-sum-exp (whose temporary is the
// size of the logits), subtraction and exp.
double softmaxCrossEntropy(const torch::Tensor &logits, const torch::Tensor &targets);

} // namespace ft::fused
