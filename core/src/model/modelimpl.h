// What ft::Model holds: config, weights, the forward pass and the tokenizer. Internal (torch).
#pragma once

#include "ft/model.h"
#include "model/decoder.h"
#include "model/decoderweights.h"
#include "model/modelconfig.h"
#include "model/peftadapter.h"

#include <memory>
#include <shared_mutex>
#include <string>

namespace ft {

struct Model::Impl
{
    ModelConfig config;
    DecoderWeights weights;
    std::unique_ptr<Decoder> decoder;  // refers to config and weights above
    std::unique_ptr<Tokenizer> tokenizer;
    std::string missingTokenizerReason;  // why tokenizer is null
    ModelInfo info;
    std::vector<int32_t> eosIds;        // generation_config.json, else config, else tokenizer
    // The attached PEFT adapter (declared after `weights`, which it detaches from when
    // destroyed). Forward passes hold adapterLock shared; attaching holds it exclusively.
    std::unique_ptr<PeftAdapter> adapter;
    mutable std::shared_mutex adapterLock;

    // The tokenizer or a BadInput error saying why there is none.
    const Tokenizer &requireTokenizer() const;
};

} // namespace ft
