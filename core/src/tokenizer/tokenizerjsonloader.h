// Builds a BpeTokenizer from a Hugging Face tokenizer.json (model.type BPE).
#pragma once

#include "tokenizer/bpetokenizer.h"

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

namespace ft::tok {

class TokenizerJsonLoader
{
public:
    static std::unique_ptr<BpeTokenizer> load(const std::filesystem::path &file);
    // The parsed document; `where` names it in errors.
    static std::unique_ptr<BpeTokenizer> fromJson(const nlohmann::json &doc, const std::string &where);
};

} // namespace ft::tok
