// Finding the pieces of a model on disk without loading its weights.
#pragma once

#include "ft/tokenizer.h"

#include <filesystem>
#include <memory>

namespace ft {

// The tokenizer of a model path: a Hugging Face folder (or a tokenizer-only folder), a .gguf file
// (its embedded tokenizer), or a tokenizer.json / tokenizer.model / vocab.json file. Throws
// ft::Error(BadInput) naming the path when there is none.
std::unique_ptr<Tokenizer> openTokenizer(const std::filesystem::path &modelPath);

// True when the path looks like a GGUF file (by its magic bytes, not its name).
bool isGgufFile(const std::filesystem::path &path);

} // namespace ft
