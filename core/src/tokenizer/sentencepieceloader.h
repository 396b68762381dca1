// tokenizer.model (SentencePiece ModelProto, BPE type), read with a small protobuf wire-format
// reader, turned into a TokenizerSpec for SpecBuilder (legacy "▁" prefix, which is what
// sentencepiece itself and the converted Llama tokenizer.json do).
#pragma once

#include "ft/tokenizer.h"

#include <filesystem>

namespace ft::tok {

class SentencePieceLoader
{
public:
    static TokenizerSpec readSpec(const std::filesystem::path &modelFile);
};

} // namespace ft::tok
