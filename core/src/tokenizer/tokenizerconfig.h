// tokenizer_config.json / special_tokens_map.json / chat_template.jinja beside a tokenizer: the
// BOS/EOS/PAD tokens, add_bos_token/add_eos_token, the chat template and extra added tokens.
#pragma once

#include "tokenizer/addedvocabulary.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ft::tok {

class BpeTokenizer;

class TokenizerConfig
{
public:
    // Reads whichever of the files exist in dir (none is fine); BadInput for a corrupt one.
    static TokenizerConfig load(const std::filesystem::path &dir);

    std::optional<std::string> bos, eos, pad, unk;
    std::optional<bool> addBos, addEos, addPrefixSpace;
    std::string chatTemplate;
    std::vector<AddedToken> addedTokens;        // added_tokens_decoder
    std::vector<std::string> additionalSpecial; // additional_special_tokens
    bool found = false;                         // any file was read

    // Sets BOS/EOS/PAD ids, what addSpecial adds (when add_bos_token/add_eos_token are given,
    // or defaultAddBos/defaultAddEos otherwise for slow-tokenizer layouts) and the template.
    // registerSpecials: also add the named special tokens as added tokens (vocab.json and
    // tokenizer.model layouts, where the tokenizer file itself does not list them).
    void applyTo(BpeTokenizer &tok, bool registerSpecials, std::optional<bool> defaultAddBos,
                 std::optional<bool> defaultAddEos) const;
};

} // namespace ft::tok
