// A prompt-tuning adapter attached to a loaded decoder (PEFT's PromptEmbedding for a causal
// LM): num_virtual_tokens trained embeddings that the Decoder prepends to the input embeddings
// at a sequence's first forward pass (the KV cache keeps them for later steps). PEFT saves them
// as the one tensor "prompt_embeddings" (num_virtual_tokens, hidden).
#pragma once

#include "model/decoderweights.h"
#include "model/modelconfig.h"
#include "model/prompttuningconfig.h"

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ft {

class Tokenizer;

class PromptTuningModel
{
public:
    // Fresh embeddings: normal(0, 1) for RANDOM, or for TEXT the base embeddings of the
    // tokenizer's ids for initText (special tokens added, as PEFT's tokenizer(init_text) does),
    // repeated or cut to numVirtualTokens. Throws BadInput for a bad config (TEXT without text or
    // tokenizer) or when prompt virtual tokens are already attached.
    PromptTuningModel(const ModelConfig &config, DecoderWeights &weights, PromptTuningConfig pt,
                      const Tokenizer *tokenizer);
    static PromptTuningModel load(const ModelConfig &config, DecoderWeights &weights,
                                  const std::filesystem::path &folder);

    void save(const std::filesystem::path &folder) const;

    const PromptTuningConfig &config() const { return m_pt; }
    const torch::Tensor &embeddings() const { return m_embeddings; }
    std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const;
    int64_t trainableParameterCount() const { return m_embeddings.numel(); }
    void setTraining(bool training) { m_embeddings.set_requires_grad(training); }
    // Virtual tokens have no place in the base weights: throws BadInput (use the PEFT format).
    void mergeAndUnload();
    void detach();

private:
    PromptTuningModel(const ModelConfig &config, DecoderWeights &weights);
    void attach();

    ModelConfig m_model;
    DecoderWeights *m_weights = nullptr;
    PromptTuningConfig m_pt;
    torch::Tensor m_embeddings;  // (num_virtual_tokens, hidden)
};

} // namespace ft
