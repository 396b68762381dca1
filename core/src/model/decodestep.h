// One decoding step of a Llama-family decoder through its layers (one new token of one sequence
// after its prompt, fp32 on the CPU, no adapter in use) as plain loops over raw buffers: RMSNorm,
// rotary embedding, attention over the KV cache, the SiLU gate and the residuals in C++, the
// projections as gemvs on the decode workers (from the quantised blocks where the model came as
// GGUF). The general path spends ~25 LibTorch ops per layer on these, each a dispatch costing
// microseconds for a few hundred floats: milliseconds per token on a 30-layer model.
#pragma once

#include "model/decoderweights.h"
#include "model/kvcache.h"

#include <torch/types.h>

namespace ft {

// Whether decodeLayers can take this step: Llama family with SiLU, the cache's and weights'
// tensors CPU float32 and contiguous, no LoRA/IA3 adapter in use on any projection
// (`adapters` false or none attached).
bool decodeStepApplies(const ModelConfig &config, const DecoderWeights &weights,
                       const KvCache &cache, bool adapters, int64_t batch = 1);

// x: the new token's hidden state (C floats, updated in place) at position `past`, whose keys
// and values are written into the cache at `past`; cos and sin: its rotary factors (headDim
// floats each, as Rope::cosSin gives them). Afterwards x is the last layer's output (before the
// final norm).
void decodeLayers(const ModelConfig &config, const DecoderWeights &weights, KvCache &cache,
                  int64_t past, const float *cos, const float *sin, float *x);

// decodeLayers for `batch` sequences at once (one new token each, all at cache position `past`):
// x (batch, C), cos and sin (batch, headDim); masked: (batch, past + 1) flags, true for a padding
// key that row must not attend to, or null. Each projection reads its weights once for all rows
// (a small GEMM); norms, rotary and attention run per row over that row's cache.
void decodeLayersBatch(const ModelConfig &config, const DecoderWeights &weights, KvCache &cache,
                       int64_t past, int64_t batch, const float *cos, const float *sin,
                       const bool *masked, float *x);

// For tests: switch the fused step off (true = on, the default) to compare with the general path.
void setDecodeStepEnabled(bool enabled);
bool decodeStepEnabled();

} // namespace ft
