// Conversions between on-disk model formats.
#pragma once

#include <filesystem>

namespace ft {

// Writes a Hugging Face folder (config.json, model.safetensors in F32, generation_config.json,
// tokenizer.json + tokenizer_config.json) from a GGUF file, so that both this engine and
// transformers load it. Written to a temporary folder and renamed into place.
void convertGgufToHuggingFace(const std::filesystem::path &ggufFile,
                              const std::filesystem::path &outDir);

} // namespace ft
