// A pretrained causal language model opened from disk. Immutable after load (the idea from
// llama.cpp): weights, hyper-parameters and tokenizer never change, so several consumers (base
// and tuned generation, the trainer) can share one copy.
#pragma once

#include "ft/modelinfo.h"
#include "ft/tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

namespace ft {

struct LoadOptions
{
    bool requireTokenizer = false;  // throw if the folder has no usable tokenizer
    // Called with a fraction in [0, 1] while loading (for progress bars).
    std::function<void(double)> onProgress;
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

    // Logits (vocab_size floats) at the last position of `ids`, no cache.
    std::vector<float> lastLogits(const std::vector<int32_t> &ids) const;
    // Logits for every position: (ids.size() x vocab_size), row-major.
    std::vector<float> allLogits(const std::vector<int32_t> &ids) const;

    struct Impl;
    Impl &impl() const { return *m_impl; }

private:
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace ft
