// A two-layer Llama decoder with random weights (hidden 32, 4 heads over 2 KV heads, vocabulary
// 48) built directly from tensors, for engine tests that need a real Decoder without files.
#pragma once

#include "model/decoder.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace fttest {

struct TinyModel
{
    ft::ModelConfig config;
    ft::DecoderWeights weights;
    std::unique_ptr<ft::Decoder> decoder;
};

inline std::unique_ptr<TinyModel> tinyLlama(uint64_t seed = 0, torch::Dtype dtype = torch::kFloat32)
{
    torch::manual_seed(seed);
    auto m = std::make_unique<TinyModel>();
    ft::ModelConfig &c = m->config;
    c.family = ft::ArchitectureFamily::Llama;
    c.modelType = "llama";
    c.hiddenSize = 32;
    c.intermediateSize = 64;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.headDim = 8;
    c.vocabSize = 48;
    c.maxPositions = 128;
    ft::DecoderWeights &w = m->weights;
    auto add = [&](const std::string &name, std::vector<int64_t> shape, bool norm = false) {
        torch::Tensor t = (norm ? torch::ones(shape) : torch::randn(shape) * 0.2).to(dtype);
        w.named[name] = t;
        w.storedDtypes[name] = "F32";
        return t;
    };
    auto proj = [&](const std::string &name, int64_t out, int64_t in) {
        ft::Projection p;
        p.weight = add(name + ".weight", {out, in});
        return p;
    };
    const int64_t C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize;
    w.embed = add("model.embed_tokens.weight", {V, C});
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        ft::LayerWeights l;
        l.inputNorm = add(p + "input_layernorm.weight", {C}, true);
        l.postAttentionNorm = add(p + "post_attention_layernorm.weight", {C}, true);
        l.q = proj(p + "self_attn.q_proj", 32, C);
        l.k = proj(p + "self_attn.k_proj", 16, C);
        l.v = proj(p + "self_attn.v_proj", 16, C);
        l.o = proj(p + "self_attn.o_proj", C, 32);
        l.gate = proj(p + "mlp.gate_proj", I, C);
        l.up = proj(p + "mlp.up_proj", I, C);
        l.down = proj(p + "mlp.down_proj", C, I);
        w.layers.push_back(std::move(l));
    }
    w.finalNorm = add("model.norm.weight", {C}, true);
    w.lmHead = proj("lm_head", V, C);
    // Logits of a real model's scale: with 0.2 the RMS-normed hidden state could not push any
    // token's probability near 1, and the overfit test would stall at a loss floor (~0.18).
    w.lmHead.weight.mul_(2.5);
    m->decoder = std::make_unique<ft::Decoder>(m->config, m->weights);
    return m;
}

} // namespace fttest
