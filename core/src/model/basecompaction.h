// Keeps a loaded block's frozen projections (q/k/v/o, gate/up/down) compact: quantised from
// float32 (model/frozenmatrix.h), or, for a GGUF base already in the chosen Q8_0 / Q4_0 blocks,
// those blocks as they are. The float32 tensors are freed; the projections' `weight` become
// shape-only placeholders. Embeddings, norms, biases and lm_head stay float32.
#pragma once

#include "model/decoderweights.h"

#include <string>

namespace ft {

// prefix: the block's checkpoint prefix, "model.layers.3.".
void compactLayer(DecoderWeights &weights, LayerWeights &layer, const std::string &prefix,
                  BasePrecision precision);

// The block projection `name` ("model.layers.0.self_attn.q_proj.weight") or null.
const Projection *findBlockProjection(const DecoderWeights &weights, const std::string &name);

// Bytes the weights hold in memory: each compact storage once, plus every float32 tensor that
// has storage (placeholders count nothing).
int64_t residentWeightBytes(const DecoderWeights &weights);

} // namespace ft
