// GPT-2 style slow-tokenizer files: vocab.json + merges.txt (byte-level BPE).
#pragma once

#include "tokenizer/bpetokenizer.h"

#include <filesystem>
#include <memory>

namespace ft::tok {

class VocabMergesLoader
{
public:
    // addPrefixSpace: tokenizer_config.json's add_prefix_space (GPT2Tokenizer default false).
    static std::unique_ptr<BpeTokenizer> load(const std::filesystem::path &vocabJson,
                                              const std::filesystem::path &mergesTxt, bool addPrefixSpace);
};

} // namespace ft::tok
