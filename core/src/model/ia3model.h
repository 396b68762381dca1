// (IA)^3 vectors attached to a loaded decoder (PEFT's IA3Model over a causal LM): which linear
// maps get one, their initialisation, PEFT-format save/load, and merging into the base.
//
// The vectors hang off the DecoderWeights' Projection / GPT-2 Conv1D slots, so the Decoder's
// forward pass applies them. Parameter names are the keys PEFT writes in
// adapter_model.safetensors: base_model.model.<module>.ia3_l, shaped (out, 1) for output-side
// targets and (1, in) for feed-forward ones (GPT-2's Conv1D included: in / out are the map's).
#pragma once

#include "model/decoderweights.h"
#include "model/ia3config.h"
#include "model/modelconfig.h"

#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft {

class Ia3Model
{
public:
    struct Target
    {
        std::string module;   // HF module name: "model.layers.0.self_attn.k_proj"
        int64_t in = 0, out = 0;
        bool feedforward = false;
        std::shared_ptr<Ia3Vector> *slot = nullptr;  // where the vector is attached
        Projection *projection = nullptr;             // Llama family (null for Conv1D)
        torch::Tensor *conv1dWeight = nullptr;        // GPT-2: (in, out)
        torch::Tensor *conv1dBias = nullptr;
        std::shared_ptr<Ia3Vector> vector;
    };

    // Attaches fresh vectors to every targeted map: ones (init_ia3_weights=true, the model's
    // output is unchanged) or randn. Throws BadInput when nothing matches or an adapter is
    // already attached there. `weights` must outlive this object.
    Ia3Model(const ModelConfig &config, DecoderWeights &weights, Ia3Config ia3);
    // The maps `ia3` targets on this model (defaults applied), attaching nothing and leaving
    // `weights` as they are: what planTraining counts. Throws BadInput when nothing matches.
    static std::vector<Target> selectTargets(const ModelConfig &config, const DecoderWeights &weights,
                                             Ia3Config ia3);
    // Attaches the adapter in a PEFT folder (adapter_config.json + adapter_model.safetensors).
    static Ia3Model load(const ModelConfig &config, DecoderWeights &weights,
                         const std::filesystem::path &folder);

    // Writes adapter_config.json and adapter_model.safetensors (fp32) as PEFT does.
    void save(const std::filesystem::path &folder) const;

    const Ia3Config &config() const { return m_ia3; }
    const std::vector<Target> &targets() const { return m_targets; }
    std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const;
    int64_t trainableParameterCount() const;
    void setTraining(bool training);
    // PEFT's merge_and_unload: W *= l (columns for feed-forward, rows otherwise; transposed for
    // Conv1D) and the bias of an output-side target *= l; then detaches.
    void mergeAndUnload();
    // Removes the vectors from the weights (the base model is unchanged).
    void detach();

private:
    Ia3Model() = default;
    // requireFree: a map that already has an adapter is an error (attaching), or is fine (planning).
    void collectTargets(const ModelConfig &config, DecoderWeights &weights, bool requireFree = true);

    Ia3Config m_ia3;
    std::vector<Target> m_targets;
    bool m_fanInFanOut = false;
};

} // namespace ft
