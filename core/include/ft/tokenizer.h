// Text <-> token ids, exactly as Hugging Face tokenizers does for the supported models.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ft {

// Everything needed to build a tokenizer without files: what a GGUF file's tokenizer.ggml.*
// metadata holds. Also the common denominator the file loaders fill.
struct TokenizerSpec
{
    enum class Model { ByteLevelBpe, SentencePieceBpe };
    Model model = Model::ByteLevelBpe;
    // Pre-tokenizer regex family for byte-level BPE: "gpt2", "llama3", "qwen2" (GGUF's
    // tokenizer.ggml.pre names such as "llama-bpe", "smollm", "qwen2", "default" are accepted).
    std::string preTokenizer = "gpt2";
    std::vector<std::string> tokens;     // id -> token text (byte-level or SentencePiece form)
    std::vector<float> scores;           // SentencePiece scores (may be empty for byte-level)
    std::vector<int32_t> tokenTypes;     // GGUF token types: 1 normal, 2 unknown, 3 control,
                                         // 4 user defined, 5 unused, 6 byte (may be empty)
    std::vector<std::string> merges;     // "a b" pairs in rank order (byte-level BPE)
    std::optional<int32_t> bosId, eosId, unkId, padId;
    bool addBos = false;
    bool addEos = false;
    std::string chatTemplate;
    // ByteLevelBpe: use a word that is a whole vocabulary token directly (Llama-3's
    // ignore_merges). Off by default, as transformers converts a GGUF vocabulary.
    bool ignoreMerges = false;
    // SentencePieceBpe: whether a "▁" starts the text (GGUF tokenizer.ggml.add_space_prefix), and
    // how: false (default) as transformers loads a GGUF (Metaspace, prepend_scheme "first": only at
    // the very start of the input); true as sentencepiece, llama.cpp and legacy Llama tokenizer.json
    // files do (Prepend + Replace normalizer: "▁" before every piece of text between special tokens).
    bool addSpacePrefix = true;
    bool legacySpacePrefix = false;
};

class Tokenizer
{
public:
    virtual ~Tokenizer();

    // A Hugging Face folder: tokenizer.json, or vocab.json + merges.txt, or tokenizer.model,
    // with tokenizer_config.json / special_tokens_map.json for BOS/EOS rules and the chat
    // template. Throws ft::Error (BadInput) naming the file when none is usable.
    static std::unique_ptr<Tokenizer> fromFolder(const std::filesystem::path &dir);
    // A single file: tokenizer.json, tokenizer.model or vocab.json (merges.txt beside it).
    static std::unique_ptr<Tokenizer> fromFile(const std::filesystem::path &file);
    static std::unique_ptr<Tokenizer> fromSpec(const TokenizerSpec &spec);

    // addSpecial: add BOS/EOS the way the tokenizer's post-processor / config says.
    virtual std::vector<int32_t> encode(std::string_view text, bool addSpecial) const = 0;
    virtual std::string decode(const std::vector<int32_t> &ids, bool skipSpecial) const = 0;
    // The raw bytes one token stands for (byte fallback / byte-level decoded); may be an
    // incomplete UTF-8 sequence. Used by StreamDecoder.
    virtual std::string tokenBytes(int32_t id) const = 0;
    // The token as stored in the vocabulary (e.g. "Ġthe", "▁the", "<0x0A>").
    virtual std::string tokenText(int32_t id) const = 0;
    virtual std::optional<int32_t> tokenId(std::string_view tokenText) const = 0;
    virtual int32_t vocabSize() const = 0;
    virtual bool isSpecial(int32_t id) const = 0;

    std::optional<int32_t> bosId() const { return m_bosId; }
    std::optional<int32_t> eosId() const { return m_eosId; }
    std::optional<int32_t> padId() const { return m_padId; }
    const std::string &chatTemplate() const { return m_chatTemplate; }
    // Human readable kind, e.g. "byte-level BPE (tokenizer.json)".
    const std::string &description() const { return m_description; }

protected:
    std::optional<int32_t> m_bosId, m_eosId, m_padId;
    std::string m_chatTemplate;
    std::string m_description;
};

// Turns a stream of token ids into text pieces, holding back incomplete UTF-8 sequences until
// the bytes that complete them arrive (and SentencePiece's leading-space rule on the first token).
class StreamDecoder
{
public:
    explicit StreamDecoder(const Tokenizer &tokenizer, bool skipSpecial = true);
    std::string push(int32_t id);   // the text that became complete with this token
    std::string flush();            // whatever is left (invalid bytes replaced by U+FFFD)

private:
    const Tokenizer &m_tokenizer;
    bool m_skipSpecial;
    // tokenizers' DecodeStream: a window of ids whose decoded prefix was already returned.
    std::vector<int32_t> m_ids;
    std::string m_prefix;         // decode(m_ids) when last emitted: the text already returned
                                  // for this window (kept as context, e.g. for leading spaces)
    std::size_t m_prefixIndex = 0; // ids at the window start that are context only
};

} // namespace ft
