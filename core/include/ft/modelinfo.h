// A plain description of a loaded model: what the Model page and `finetune-cli info` show.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

struct ModelInfo
{
    std::string path;
    std::string format;         // "huggingface" or "gguf"
    std::string architecture;   // e.g. "LlamaForCausalLM", "GPT2LMHeadModel"
    std::string modelType;      // config.json model_type: "llama", "gpt2", "mistral", "qwen2"
    int numLayers = 0;
    int hiddenSize = 0;
    int intermediateSize = 0;
    int numHeads = 0;
    int numKvHeads = 0;
    int headDim = 0;
    int vocabSize = 0;
    int contextLength = 0;
    int64_t numParameters = 0;
    std::string storedDtype;    // dtype on disk: "F32", "BF16", "Q4_1", ... ("mixed" if several)
    std::string computeDtype = "F32";
    double ropeTheta = 0.0;
    std::string ropeScaling;    // "", "llama3", "linear", ...
    bool tiedEmbeddings = false;
    std::string tokenizer;      // description of the tokenizer, "" if none
    bool hasChatTemplate = false;
    std::vector<std::string> warnings;  // e.g. tokenizer/model vocabulary size mismatch
};

} // namespace ft
