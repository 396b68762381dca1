// Builds a BpeTokenizer from a TokenizerSpec (GGUF tokenizer.ggml.* metadata, or what the
// tokenizer.model loader read), the way transformers converts such a vocabulary.
#pragma once

#include "ft/tokenizer.h"
#include "tokenizer/bpetokenizer.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft::tok {

class SpecBuilder
{
public:
    // `where` names the source in errors (e.g. "model.gguf: tokenizer.ggml").
    static std::unique_ptr<BpeTokenizer> build(const TokenizerSpec &spec, const std::string &where);

    // transformers' generate_merges(vocab, scores): every split of a token into two tokens,
    // best score first (ties: shorter left, then shorter right piece, then vocabulary order).
    static std::vector<std::pair<std::string, std::string>> mergesFromScores(const std::vector<std::string> &tokens,
                                                                             const std::vector<float> &scores);
    // The Split regex for a GGUF tokenizer.ggml.pre name; empty for the GPT-2 default.
    static std::string preTokenizerPattern(const std::string &preName);
};

} // namespace ft::tok
