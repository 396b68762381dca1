// A GGUF file seen as a Hugging Face model: config.json-equivalent JSON, weights under HF names
// (llama.cpp's Q/K row permutation undone), and the embedded tokenizer.
#pragma once

#include "ft/tokenizer.h"
#include "io/weightsource.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>

namespace ft {

struct GgufModel
{
    nlohmann::json hfConfig;                  // what config.json would hold (LlamaConfig fields)
    std::unique_ptr<WeightSource> weights;    // HF names, e.g. model.layers.0.self_attn.q_proj.weight
    std::optional<TokenizerSpec> tokenizer;   // from tokenizer.ggml.*; nullopt if absent
    std::string fileType;                     // e.g. "Q4_1" (general.file_type), or "mixed"
};

// Throws ft::Error(BadInput) naming the file for anything malformed or unsupported.
GgufModel openGgufModel(const std::filesystem::path &file);

} // namespace ft
