// The forward pass of the supported decoder-only transformers over their loaded weights.
// Stateless apart from the caller's KvCache, so one Decoder serves many generations at once.
#pragma once

#include "model/decoderweights.h"
#include "model/kvcache.h"
#include "model/modelconfig.h"
#include "model/rope.h"
#include "model/segmentfork.h"

#include <torch/types.h>

#include <vector>

namespace ft {

struct ForwardInputs
{
    torch::Tensor ids;        // (B, T) int64
    torch::Tensor positions;  // (B, T) int64; default: cache length + arange(T)
    KvCache *cache = nullptr; // appended to when given
    bool allPositions = false;  // logits for every position, or only the last
    // Optional (B, past + T), nonzero = attend: keys where it is 0 (padding) are masked out, as
    // transformers' attention_mask does. Undefined: every key is attended (causally).
    torch::Tensor attentionMask;
    // Padding-free batches (B == 1, no cache): the lengths of the independent sequences laid end
    // to end in the row. Attention never crosses them; positions are the caller's (restarting at
    // 0 per sequence, as transformers' DataCollatorWithFlattening gives them).
    std::vector<int64_t> segments;
    // Optional, one per segment: a segment holding two sequences that share their prompt
    // (model/segmentfork.h); positions are the caller's (the second answer's continue from the
    // prompt).
    std::vector<SegmentFork> forks;
    // The final hidden states (after the last norm) instead of logits, so that the trainer
    // projects only the positions that carry loss (see project()).
    bool hiddenOnly = false;
    // Apply the attached adapters (LoRA, IA3, prompt-tuning virtual tokens); false runs the
    // base model from the same weights. With virtual tokens attached and an empty cache, they are
    // prepended to the input embeddings (positions 0..P-1, always attended, explicit positions
    // shifted by P, as PEFT does) and the cache keeps them; logits cover only `ids`.
    bool useAdapters = true;
};

class Decoder
{
public:
    Decoder(const ModelConfig &config, const DecoderWeights &weights);

    // Logits (B, T or 1, V) in fp32.
    torch::Tensor forward(const ForwardInputs &inputs) const;
    KvCache newCache(int64_t batch, int64_t capacity) const;
    // lm_head over hidden states (..., C) -> logits (..., V).
    torch::Tensor project(const torch::Tensor &hidden) const;
    // Positions a sequence's first forward pass adds before its ids (prompt tuning), to size
    // the cache.
    int64_t virtualTokenCount(bool useAdapters) const;

    const ModelConfig &config() const { return m_config; }
    const DecoderWeights &weights() const { return m_weights; }

    // Gradient checkpointing (model/blockcheckpoint.h): while autograd records, each block that
    // trains keeps only its input and runs again in backward. Off by default.
    void setCheckpointBlocks(bool on) { m_checkpointBlocks = on; }
    bool checkpointBlocks() const { return m_checkpointBlocks; }

private:
    // What every block needs besides its input.
    struct BlockContext
    {
        KvCache *cache = nullptr;
        int64_t past = 0;
        torch::Tensor padding;               // (B, past + T) bool, true = masked key
        const std::vector<int64_t> *segments = nullptr;  // padding-free row, or null
        bool adapters = true;                // ForwardInputs::useAdapters
        const std::vector<SegmentFork> *forks = nullptr;  // one per segment, or null
    };
    torch::Tensor attention(const torch::Tensor &q, const torch::Tensor &k,
                            const torch::Tensor &v, int layer, const BlockContext &ctx) const;
    torch::Tensor causalAttention(const torch::Tensor &q, const torch::Tensor &k,
                                  const torch::Tensor &v, int layer,
                                  const BlockContext &ctx) const;
    torch::Tensor llamaBlock(torch::Tensor x, int layer, const torch::Tensor &cos,
                             const torch::Tensor &sin, const BlockContext &ctx) const;
    torch::Tensor gpt2Block(torch::Tensor x, int layer, const BlockContext &ctx) const;
    torch::Tensor activation(const torch::Tensor &x) const;
    // Block `layer` (cos and sin: the Llama family's rotary tables), checkpointed when that is
    // on and the block trains or its input carries a gradient.
    torch::Tensor runBlock(const torch::Tensor &x, int layer, const torch::Tensor &cos,
                           const torch::Tensor &sin, const BlockContext &ctx) const;

    const ModelConfig &m_config;
    const DecoderWeights &m_weights;
    Rope m_rope;
    bool m_checkpointBlocks = false;
};

} // namespace ft
