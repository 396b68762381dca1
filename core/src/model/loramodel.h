// LoRA adapters attached to a loaded decoder (PEFT's LoraModel over a causal LM): which
// projections get one, their initialisation, PEFT-format save/load, and merging into the base.
//
// The adapters hang off the DecoderWeights' Projection / GPT-2 Conv1D slots, so the Decoder's
// forward pass applies them (y = W x + b + scale * B(A(dropout(x)))). Parameter names are the
// keys PEFT writes in adapter_model.safetensors:
//   base_model.model.<module>.lora_A.weight (r, in) and .lora_B.weight (out, r)
// and with DoRA (use_dora) .lora_magnitude_vector (out).
#pragma once

#include "model/decoderweights.h"
#include "model/loraconfig.h"
#include "model/modelconfig.h"

#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft {

class LoraModel
{
public:
    struct Target
    {
        std::string module;   // HF module name: "model.layers.0.self_attn.q_proj"
        int64_t in = 0, out = 0;
        bool fanInFanOut = false;  // GPT-2 Conv1D: base weight stored (in, out)
        std::shared_ptr<LoraAdapter> *slot = nullptr;  // where the adapter is attached
        Projection *projection = nullptr;  // Llama family (null for Conv1D)
        torch::Tensor *conv1dWeight = nullptr;  // GPT-2
        torch::Tensor *conv1dBias = nullptr;
        std::shared_ptr<LoraAdapter> adapter;
    };

    // Attaches fresh adapters to every targeted module: A kaiming-uniform(a = sqrt(5)), B zeros
    // (PEFT's init_lora_weights=True), so the model's output is unchanged. Throws BadInput when
    // nothing matches or an adapter is already attached. `weights` must outlive this object.
    LoraModel(const ModelConfig &config, DecoderWeights &weights, LoraConfig lora);
    // Attaches the adapter in a PEFT folder (adapter_config.json + adapter_model.safetensors).
    static LoraModel load(const ModelConfig &config, DecoderWeights &weights,
                          const std::filesystem::path &folder);

    // Writes adapter_config.json and adapter_model.safetensors (fp32) as PEFT does.
    void save(const std::filesystem::path &folder) const;

    const LoraConfig &config() const { return m_lora; }
    const std::vector<Target> &targets() const { return m_targets; }
    // The trainable tensors under PEFT's saved names (A, B, DoRA's magnitude per module, module
    // order).
    std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const;
    // peft's get_nb_trainable_parameters()[0] for this config.
    int64_t trainableParameterCount() const;
    // Training: A and B require grad and dropout is applied; off (the initial state): neither.
    void setTraining(bool training);
    // W += scale * B @ A (transposed for Conv1D) in place, then detaches the adapters (PEFT's
    // merge_and_unload); DoRA: W = magnitude / ||W + scale * B @ A|| * (W + scale * B @ A) per
    // output row. Quantised copies of merged weights are dropped.
    void mergeAndUnload();
    // Removes the adapters from the weights (the base model is unchanged).
    void detach();

private:
    LoraModel() = default;
    void collectTargets(const ModelConfig &config, DecoderWeights &weights);
    // Settings every adapter shares (scale, dropout, DoRA's base weight).
    void configure(Target &t, LoraAdapter &adapter) const;

    LoraConfig m_lora;
    std::vector<Target> m_targets;
    bool m_fanInFanOut = false;
};

} // namespace ft
