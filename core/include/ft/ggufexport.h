// Writing a model as a GGUF file that llama.cpp (and this engine) loads: tensors under
// llama.cpp's names (token_embd, blk.N.attn_q, ..., output_norm, output) with the Q/K rows
// permuted as convert_hf_to_gguf.py does for llama, and its metadata (hyper-parameters,
// tokenizer, chat template). Supported: the llama family (llama, mistral written as "llama",
// qwen2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace ft {

// Q4_K_M and Q6_K are llama.cpp's mixes (export/ggufmix.h): Q4_K_M keeps attn_v / ffn_down of
// some layers and the output matrix in Q6_K; rows that are not whole 256-blocks fall back.
enum class GgufOutType { F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K_M, Q6_K };

// "F32", "f16", "q8_0", ... ; BadInput listing the choices for anything else.
GgufOutType parseGgufOutType(const std::string &name);
std::string ggufOutTypeName(GgufOutType type);

struct GgufExportOptions
{
    GgufOutType type = GgufOutType::F16; // 2-D weights; 1-D tensors are always F32
    std::string name;                    // general.name; default: the model's folder name
    // A GGUF file whose embedded tokenizer is written when `model` is a folder without tokenizer
    // files (a run merged over a GGUF base).
    std::filesystem::path tokenizerFrom;
};

struct GgufExportSummary
{
    std::filesystem::path file;
    std::string architecture; // general.architecture
    int64_t tensorCount = 0;
    uint64_t sizeBytes = 0;
};

// `model` is a Hugging Face folder or a .gguf file. Refuses (BadInput) an existing `outFile`,
// an unsupported architecture or tokenizer. Written to a temporary file renamed at the end.
GgufExportSummary exportGguf(const std::filesystem::path &model,
                             const std::filesystem::path &outFile,
                             const GgufExportOptions &options);

// A finished run (runDir/final) as outDir/model-<TYPE>.gguf: the merged model exportRun writes
// (adapter merged into the base, or the fully trained weights), converted.
GgufExportSummary exportRunGguf(const std::filesystem::path &runDir,
                                const std::filesystem::path &outDir, GgufExportOptions options);

// A LoRA run's adapter (runDir/final) as llama.cpp's LoRA adapter GGUF,
// outDir/adapter-lora-F32.gguf (general.type "adapter", adapter.lora.alpha; blk.N.<weight>.lora_a /
// .lora_b in F32), for llama.cpp's --lora. Refuses other adapter types, DoRA and modules llama.cpp
// cannot name.
GgufExportSummary exportRunLoraGguf(const std::filesystem::path &runDir,
                                    const std::filesystem::path &outDir);

} // namespace ft
