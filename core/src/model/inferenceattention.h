// Causal attention for inference on the CPU, a block of query rows at a time. LibTorch's
// expressions materialise (B, H, T, S) scores, a mask fill and a softmax copy: for a batch of 8
// MMLU questions after a 5-shot prefix that is 20-120 MB per layer, fresh pages from the kernel
// on every call (a third of the eval's CPU time went to page faults). Here a block's scores
// (at most kRowsPerBlock x S floats) stay in the cache, and a block multiplies only the keys
// its rows can see. Results equal the expressions to float rounding (tst_decoder,
// tests/interop/test_logits*.py against transformers).
#pragma once

#include <torch/types.h>

namespace ft {

// True when inferenceAttention can take q, keys and values: CPU float32, last dimension
// contiguous, nothing needs a gradient.
bool inferenceAttentionApplies(const torch::Tensor &q, const torch::Tensor &keys,
                               const torch::Tensor &values);

// q: (B, T, H, D); keys, values: (B, Hkv, S, D) with H a multiple of Hkv; query t sits at
// position past + t and sees keys 0 .. past + t; padding: undefined or (B, S) bool, true where
// a key is padding (masked with the lowest float, as transformers does). Returns (B, T, H * D).
torch::Tensor inferenceAttention(const torch::Tensor &q, const torch::Tensor &keys,
                                 const torch::Tensor &values, int64_t past,
                                 const torch::Tensor &padding);

} // namespace ft
