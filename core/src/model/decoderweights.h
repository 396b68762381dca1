// The tensors of a decoder-only transformer, by Hugging Face checkpoint name and, for the
// forward pass, by role per layer (the same tensors: they share storage).
#pragma once

#include "ft/baseprecision.h"
#include "io/weightsource.h"
#include "model/ia3adapter.h"
#include "model/loraadapter.h"
#include "model/modelconfig.h"
#include "model/quantizedmatrix.h"

#include <torch/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ft {

class FrozenMatrix;  // model/frozenmatrix.h

// An nn.Linear: weight (out, in), optional bias, and optionally the same weight block-quantised
// (from GGUF) for single-token decoding.
struct Projection
{
    torch::Tensor weight;
    torch::Tensor bias;
    std::shared_ptr<const QuantizedMatrix> packed;
    std::shared_ptr<LoraAdapter> lora;  // optional: added to the output (model/loramodel.h)
    std::shared_ptr<Ia3Vector> ia3;     // optional: scales input or output (model/ia3model.h)
    // A frozen base kept compact (bf16 or quantised, model/basecompaction.h): the values live
    // here and `weight` is a shape-only placeholder (a meta tensor, no storage).
    std::shared_ptr<const FrozenMatrix> compact;
};

struct LayerWeights
{
    // Llama family.
    torch::Tensor inputNorm, postAttentionNorm;
    Projection q, k, v, o;
    Projection gate, up, down;
    // q/k/v and gate/up stacked by rows: the projections' weights (and biases) above are row
    // views of these, so a block can run each group as one GEMM (model/decoder.cpp).
    torch::Tensor qkvWeight, qkvBias, gateUpWeight, gateUpBias;
    // With a compact base: the stacked groups' values (the projections' `compact` are row
    // ranges of these; qkvWeight and gateUpWeight are then placeholders too).
    std::shared_ptr<const FrozenMatrix> qkvCompact, gateUpCompact;
    // GPT-2: Conv1D layout (in, out); LayerNorm weight/bias.
    torch::Tensor ln1, ln1Bias, ln2, ln2Bias;
    torch::Tensor cAttn, cAttnBias, cProj, cProjBias, fc, fcBias, mlpProj, mlpProjBias;
    // Optional LoRA adapters on GPT-2's Conv1D maps (model/loramodel.h).
    std::shared_ptr<LoraAdapter> cAttnLora, cProjLora, fcLora, mlpProjLora;
    // Optional (IA)^3 vectors on them (model/ia3model.h).
    std::shared_ptr<Ia3Vector> cAttnIa3, cProjIa3, fcIa3, mlpProjIa3;
};

struct DecoderWeights
{
    torch::Tensor embed;          // (V, C)
    torch::Tensor positions;      // GPT-2 learned positions (P, C)
    torch::Tensor finalNorm, finalNormBias;
    Projection lmHead;            // (V, C); the embedding itself when tied
    std::vector<LayerWeights> layers;
    // Optional prompt-tuning embeddings (P, C), prepended to a sequence's input embeddings at its
    // first forward pass (model/prompttuningmodel.h).
    torch::Tensor virtualTokens;
    // Every parameter under its canonical HF name (tied lm_head not listed twice).
    std::map<std::string, torch::Tensor> named;
    std::map<std::string, std::string> storedDtypes;  // name -> dtype on disk
    // The format the block projections are kept in (fp32: plain tensors, no placeholders).
    BasePrecision basePrecision = BasePrecision::Fp32;
};

// Loads and shape-checks every tensor the architecture needs. onProgress gets [0, 1]. A
// basePrecision other than fp32 keeps each block's projections compact as soon as the block is
// loaded (model/basecompaction.h), so the float32 base is never held whole.
DecoderWeights loadDecoderWeights(const ModelConfig &config, const WeightSource &source,
                                  const std::function<void(double)> &onProgress,
                                  BasePrecision basePrecision = BasePrecision::Fp32);

} // namespace ft
