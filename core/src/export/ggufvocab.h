// The tokenizer of a model as GGUF tokenizer.ggml.* metadata, the way llama.cpp's
// convert_hf_to_gguf.py writes it: "llama" (SentencePiece: tokens, scores, token types) from a
// tokenizer.model, "gpt2" (byte-level BPE: tokens, token types, merges) from tokenizer.json or
// vocab.json + merges.txt; BOS/EOS/PAD ids, add_bos/add_eos and the chat template from
// tokenizer_config.json.
#pragma once

#include "ft/tokenizer.h"

#include <filesystem>
#include <optional>

namespace ft {

class GgufWriter;

// nullopt when the folder has no tokenizer. The token list is padded to `modelVocab` entries
// ("[PAD<id>]", type unused) as convert_hf_to_gguf.py does; a tokenizer larger than the model's
// embedding is refused (BadInput naming the folder).
std::optional<TokenizerSpec> tokenizerSpecForGguf(const std::filesystem::path &folder,
                                                  int64_t modelVocab);

// Writes tokenizer.ggml.* and tokenizer.chat_template.
void addTokenizerMetadata(GgufWriter &writer, const TokenizerSpec &spec);

} // namespace ft
