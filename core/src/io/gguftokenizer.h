// The tokenizer a GGUF file embeds (tokenizer.ggml.*, tokenizer.chat_template) as a
// TokenizerSpec, every array checked against the vocabulary size.
#pragma once

#include "ft/tokenizer.h"

#include <optional>

namespace ft {

class GgufFile;

// nullopt when the file has no vocabulary; BadInput naming the file for a malformed one.
std::optional<TokenizerSpec> readGgufTokenizer(const GgufFile &file);

} // namespace ft
