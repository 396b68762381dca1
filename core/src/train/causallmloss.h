// Causal language-model loss as transformers' ForCausalLMLoss (loss/loss_utils.py) computes it:
// labels shifted left by one (position t predicts label t + 1), positions labelled -100 (masked
// prompt tokens, padding) ignored, cross-entropy in fp32 averaged over the remaining tokens.
#pragma once

#include <torch/types.h>

namespace ft {

constexpr int64_t kIgnoreIndex = -100;

// logits (B, T, V), labels (B, T) int64, unshifted (usually the input ids with masked positions
// set to -100). Returns a scalar. With no counted token at all the result is NaN, as in
// transformers (mean over zero elements).
torch::Tensor causalLmLoss(const torch::Tensor &logits, const torch::Tensor &labels);

// The number of tokens causalLmLoss averages over.
int64_t countLossTokens(const torch::Tensor &labels);

} // namespace ft
