// The one Tokenizer implementation: tokenizers' pipeline (added tokens, normalizer,
// pre-tokenizer, BPE model, post-processor, decoder) assembled by the loaders from
// tokenizer.json, vocab.json + merges.txt, tokenizer.model or a GGUF TokenizerSpec.
#pragma once

#include "ft/tokenizer.h"
#include "tokenizer/addedvocabulary.h"
#include "tokenizer/bpemodel.h"
#include "tokenizer/decoderpipeline.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/pretokenizer.h"

#include <memory>

namespace ft::tok {

class BpeTokenizer final : public Tokenizer
{
public:
    struct Parts
    {
        Normalizer normalizer;
        PreTokenizer preTokenizer;
        std::unique_ptr<BpeModel> model;
        AddedVocabulary added;
        DecoderPipeline decoder;
        std::vector<int32_t> prefix, suffix; // what addSpecial adds around the text
        bool byteLevel = false;              // tokens are spelled in the byte-level alphabet
        std::string spaceMark = "\xE2\x96\x81"; // SentencePiece's "▁"
    };

    explicit BpeTokenizer(Parts parts);

    std::vector<int32_t> encode(std::string_view text, bool addSpecial) const override;
    std::string decode(const std::vector<int32_t> &ids, bool skipSpecial) const override;
    std::string tokenBytes(int32_t id) const override;
    std::string tokenText(int32_t id) const override;
    std::optional<int32_t> tokenId(std::string_view tokenText) const override;
    int32_t vocabSize() const override;
    bool isSpecial(int32_t id) const override;

    // Loader-side set-up.
    void setBos(std::optional<int32_t> id) { m_bosId = id; }
    void setEos(std::optional<int32_t> id) { m_eosId = id; }
    void setPad(std::optional<int32_t> id) { m_padId = id; }
    void setChatTemplate(std::string t) { m_chatTemplate = std::move(t); }
    void setDescription(std::string d) { m_description = std::move(d); }
    void setSpecialAround(std::vector<int32_t> prefix, std::vector<int32_t> suffix);
    bool isByteLevel() const { return m_parts.byteLevel; }
    const std::vector<int32_t> &prefixIds() const { return m_parts.prefix; }
    const std::vector<int32_t> &suffixIds() const { return m_parts.suffix; }
    // Adds tokens (e.g. from tokenizer_config.json) and rebuilds the matchers.
    void addTokens(const std::vector<AddedToken> &tokens);

private:
    void encodeText(std::string_view text, std::size_t offset, std::vector<int32_t> &out) const;
    const std::string *rawToken(int32_t id) const;

    Parts m_parts;
    // No vocabulary token has a space mark after another character, so no merge can cross the
    // start of a "▁word": words are cut there before BPE (same ids, and cacheable words).
    bool m_cutBeforeMark = false;
};

} // namespace ft::tok
