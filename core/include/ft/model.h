// A pretrained causal language model opened from disk. The base weights, hyper-parameters and
// tokenizer never change after load (the idea from llama.cpp), so several consumers (base and
// tuned generation, the trainer) can share one copy. A PEFT adapter may be attached beside
// them; each call then chooses whether to apply it, so base and tuned output come from the
// same weights, also from two threads at once.
#pragma once

#include "ft/baseprecision.h"
#include "ft/modelinfo.h"
#include "ft/tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ft {

struct LoadOptions
{
    bool requireTokenizer = false;  // throw if the folder has no usable tokenizer
    // Called with a fraction in [0, 1] while loading (for progress bars).
    std::function<void(double)> onProgress;
    // The block projections' format (ft/baseprecision.h); other than fp32, only for adapters
    // that train over a frozen base (LoRA, IA3, prompt tuning).
    BasePrecision basePrecision = BasePrecision::Fp32;
};

class Model
{
public:
    ~Model();
    Model(const Model &) = delete;
    Model &operator=(const Model &) = delete;

    // A Hugging Face folder (config.json + safetensors) or a .gguf file. Throws ft::Error
    // (BadInput) naming the file and the problem.
    static std::unique_ptr<Model> open(const std::filesystem::path &path,
                                       const LoadOptions &options = {});

    const ModelInfo &info() const;
    // May be null when the folder has no tokenizer (then drive it with ids).
    const Tokenizer *tokenizer() const;

    // Attaches the PEFT adapter in `folder` (adapter_config.json + adapter_model.safetensors:
    // LoRA, IA3 or prompt tuning, by peft_type), replacing an attached one. Throws BadInput
    // naming the file for an unknown peft_type or an adapter that does not fit this model (the
    // model is then left without adapter). Waits for running generations to finish.
    void attachAdapter(const std::filesystem::path &folder);
    void detachAdapter();
    bool hasAdapter() const;
    // "LORA", "IA3" or "PROMPT_TUNING"; empty without adapter.
    std::string adapterType() const;

    // Logits (vocab_size floats) at the last position of `ids`, no cache. useAdapter: apply the
    // attached adapter (if any); false gives the base model's logits.
    std::vector<float> lastLogits(const std::vector<int32_t> &ids, bool useAdapter = true) const;
    // Logits for every position: (ids.size() x vocab_size), row-major.
    std::vector<float> allLogits(const std::vector<int32_t> &ids, bool useAdapter = true) const;

    struct Impl;
    Impl &impl() const { return *m_impl; }

private:
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace ft
