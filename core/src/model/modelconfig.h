// The hyper-parameters of a supported architecture, read from a config.json object (or the
// equivalent that a GGUF file's metadata becomes).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

enum class ArchitectureFamily {
    Gpt2,   // learned positions, LayerNorm, fused c_attn in Conv1D layout, GELU MLP
    Llama,  // RMSNorm, rotary embeddings, grouped-query attention, SwiGLU (Llama, Mistral, Qwen2)
};

struct RopeScaling
{
    std::string type = "default";  // "default", "linear", "llama3"
    double factor = 1.0;
    double lowFreqFactor = 1.0;
    double highFreqFactor = 4.0;
    int originalMaxPositions = 8192;
};

struct ModelConfig
{
    ArchitectureFamily family = ArchitectureFamily::Llama;
    std::string modelType;      // "gpt2", "llama", "mistral", "qwen2"
    std::string architecture;   // "LlamaForCausalLM", ...
    int hiddenSize = 0;
    int intermediateSize = 0;
    int numLayers = 0;
    int numHeads = 0;
    int numKvHeads = 0;
    int headDim = 0;
    int vocabSize = 0;
    int maxPositions = 0;
    double normEps = 1e-5;
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling;
    bool tieEmbeddings = false;
    bool qkvBias = false;       // Qwen2 (always), Llama with attention_bias
    bool outputBias = false;    // o_proj bias (Llama attention_bias)
    bool mlpBias = false;
    std::string activation = "silu";  // silu | gelu_new | gelu | relu | gelu_pytorch_tanh
    std::vector<int32_t> eosIds;
    int32_t bosId = -1;
};

// A token id or a list of them (config.json's eos_token_id may be either); other values -> {}.
std::vector<int32_t> tokenIdList(const nlohmann::json &value);

// `origin` names the file in error messages ("model/config.json"). Throws ft::Error(BadInput)
// for an unknown architecture or missing/invalid fields.
ModelConfig parseModelConfig(const nlohmann::json &config, const std::string &origin);

} // namespace ft
