// Causal self-attention over one padding-free row of sequences (segments), for training. The
// work is cut into tasks of about equal size for LibTorch's threads (model/segmentattentionplan.h:
// 64-row causal blocks of one K/V head's query heads), whose GEMMs read q, k and v in place (row
// views, no permuted copies) over the keys up to each block's last row only; the softmax touches
// only the causal triangle with the 1/sqrt(D) scale folded in, and the output is written straight
// into the (1, N, H * D) result. Short sequences keep their probabilities for the backward pass,
// long ones recompute them there block by block. Grouped-query attention shares each K/V head
// among its H / Hkv query heads. Same values as model/decoder.cpp's plain attention to float
// rounding; tested against it in tests/unit/tst_train.cpp. A forked segment
// (model/segmentfork.h) holds two sequences sharing their prompt.
#pragma once

#include "model/segmentfork.h"

#include <torch/types.h>

#include <vector>

namespace ft {

// Whether segmentAttention takes these inputs: CPU float32, one row, head dimension contiguous.
bool segmentAttentionApplies(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v);

// q (1, N, H, D), k and v (1, N, Hkv, D); segments add up to N; forks empty or one per segment.
// Returns (1, N, H * D).
torch::Tensor segmentAttention(const torch::Tensor &q, const torch::Tensor &k,
                               const torch::Tensor &v, const std::vector<int64_t> &segments,
                               const std::vector<SegmentFork> &forks = {});

} // namespace ft
