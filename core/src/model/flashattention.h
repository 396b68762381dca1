// Causal attention of one long sequence's 64-row query blocks for training, flash attention's
// way: the scores of a 64-row block against 64 keys at a time live in a small tile, the softmax
// is computed online (a running maximum and sum per row), and the backward pass recomputes the
// probabilities from each row's log-sum-exp instead of a kept score matrix. On AVX-512 with
// head width 64 (SmolLM2, Qwen2.5-0.5B, Llama 3.2-1B); model/segmentattention.cpp uses it for
// the sequences whose probabilities are not kept (over attentionplan::kKeepProbabilitiesUpTo)
// and its GEMM path for the rest.
#pragma once

#include <cstdint>
#include <vector>

namespace ft::flash {

constexpr int64_t kHeadDim = 64;

// True where this CPU runs the kernels (AVX-512F) and the head width is kHeadDim.
bool applies(int64_t headDim);

// One K/V head of a sequence and its query heads, every pointer at the sequence's first
// position. q holds `heads` query heads per position (kHeadDim floats each, positions qStride
// floats apart), k and v one head each (kStride, vStride); out, the output's gradient and dq
// have q's heads, outStride apart; lse one float per query head and position, lseStride apart.
struct Heads
{
    const float *q = nullptr, *k = nullptr, *v = nullptr;
    int64_t qStride = 0, kStride = 0, vStride = 0, outStride = 0, lseStride = 0;
    int64_t heads = 0;
    float scale = 1.0f;
};

// The keys and values of positions [0, keys) transposed, tile by tile: each 64 keys' tile a
// contiguous kHeadDim x 64 block (zeros past the last key), built once per layer and K/V head
// and read by every block of every task. Whole rows of 2,048 keys would put a tile's rows 8 KiB apart, all in the
// same few sets of the L1 cache.
struct TransposedKeys
{
    std::vector<float> keys, values;
    void build(const Heads &heads, int64_t count, bool withValues);
    // The tile of keys [t0, t0 + 64) (t0 a multiple of 64) of keys or values.
    const float *tile(const std::vector<float> &of, int64_t t0) const { return of.data() + t0 * kHeadDim; }
};

// Forward for query rows [first, first + rows) of every query head (first a multiple of 64,
// rows <= 64): their outputs (softmax(scale q k^T) v over keys 0 .. row) to `out`, and
// log(sum(exp(scale q k^T))) to `lse`.
void forwardBlock(const Heads &heads, const TransposedKeys &transposed, int64_t first, int64_t rows,
                  float *out, float *lse);

// Backward for the same rows: dq of the rows written (layout of q), the gradients of the keys
// and values they see added into dKeys and dValues (kHeadDim floats per key position,
// dStride apart). out and gradOut have q's layout; lse is what forwardBlock wrote.
void backwardBlock(const Heads &heads, const TransposedKeys &transposed, int64_t first, int64_t rows,
                   const float *out, const float *gradOut, const float *lse, float *dq,
                   float *dKeys, float *dValues, int64_t dStride);

} // namespace ft::flash
