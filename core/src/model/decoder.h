// The forward pass of the supported decoder-only transformers over their loaded weights.
// Stateless apart from the caller's KvCache, so one Decoder serves many generations at once.
#pragma once

#include "model/decoderweights.h"
#include "model/kvcache.h"
#include "model/modelconfig.h"
#include "model/rope.h"

#include <torch/types.h>

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
    // Positions a sequence's first forward pass adds before its ids (prompt tuning), to size
    // the cache.
    int64_t virtualTokenCount(bool useAdapters) const;

    const ModelConfig &config() const { return m_config; }

private:
    torch::Tensor attention(const torch::Tensor &q, const torch::Tensor &k,
                            const torch::Tensor &v, int layer, KvCache *cache,
                            int64_t past, const torch::Tensor &padding) const;
    torch::Tensor llamaBlock(torch::Tensor x, int layer, const torch::Tensor &cos,
                             const torch::Tensor &sin, KvCache *cache, int64_t past,
                             const torch::Tensor &padding, bool adapters) const;
    torch::Tensor gpt2Block(torch::Tensor x, int layer, KvCache *cache, int64_t past,
                            const torch::Tensor &padding, bool adapters) const;
    torch::Tensor activation(const torch::Tensor &x) const;

    const ModelConfig &m_config;
    const DecoderWeights &m_weights;
    Rope m_rope;
};

} // namespace ft
