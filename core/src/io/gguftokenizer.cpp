#include "io/gguftokenizer.h"

#include "ft/error.h"
#include "io/gguffile.h"

#include <set>

namespace ft {

using nlohmann::json;

namespace {

// GGUF tokenizer.ggml.pre names -> the regex family names TokenizerSpec documents; names of
// other families (e.g. "smollm") are passed through.
std::string preTokenizerFamily(const std::string &pre)
{
    static const std::set<std::string> llama3 = {"llama3",    "llama-v3", "llama-bpe", "falcon3",
                                                 "smaug-bpe", "dbrx",     "pixtral"};
    static const std::set<std::string> qwen2 = {"qwen2", "deepseek-r1-qwen", "megrez"};
    if (pre.empty() || pre == "default" || pre == "gpt2" || pre == "gpt-2")
        return "gpt2";
    if (llama3.count(pre))
        return "llama3";
    if (qwen2.count(pre))
        return "qwen2";
    return pre;
}

} // namespace

std::optional<TokenizerSpec> readGgufTokenizer(const GgufFile &f)
{
    if (!f.hasKey("tokenizer.ggml.model"))
        return std::nullopt;
    const std::string kind = f.getString("tokenizer.ggml.model");
    if (kind == "no_vocab" || kind == "none")
        return std::nullopt;
    TokenizerSpec spec;
    if (kind == "gpt2")
        spec.model = TokenizerSpec::Model::ByteLevelBpe;
    else if (kind == "llama")
        spec.model = TokenizerSpec::Model::SentencePieceBpe;
    else
        throwBadInput(f.describe("unsupported tokenizer model '" + kind +
                                 "' in tokenizer.ggml.model (supported: gpt2, llama)"));

    const json &md = f.metadata();
    auto requireArray = [&](const char *key, GgufValueType elem, const char *elemName) {
        if (f.arrayType(key) != elem)
            throwBadInput(f.describe(std::string(key) + " must be an array of " + elemName));
        return &md.at(key);
    };
    const json *tokens = requireArray("tokenizer.ggml.tokens", GgufValueType::String, "strings");
    spec.tokens.reserve(tokens->size());
    for (const json &t : *tokens)
        spec.tokens.push_back(t.get<std::string>());
    const size_t n = spec.tokens.size();
    if (n == 0)
        throwBadInput(f.describe("tokenizer.ggml.tokens is empty"));
    if (f.hasKey("tokenizer.ggml.scores")) {
        const json *scores =
            requireArray("tokenizer.ggml.scores", GgufValueType::Float32, "float32");
        if (scores->size() != n)
            throwBadInput(f.describe("tokenizer.ggml.scores has " + std::to_string(scores->size()) +
                                     " entries for " + std::to_string(n) + " tokens"));
        spec.scores.reserve(n);
        for (const json &s : *scores)
            spec.scores.push_back(s.get<float>());
    }
    if (f.hasKey("tokenizer.ggml.token_type")) {
        const json *types =
            requireArray("tokenizer.ggml.token_type", GgufValueType::Int32, "int32");
        if (types->size() != n)
            throwBadInput(f.describe("tokenizer.ggml.token_type has " +
                                     std::to_string(types->size()) + " entries for " +
                                     std::to_string(n) + " tokens"));
        spec.tokenTypes.reserve(n);
        for (const json &t : *types)
            spec.tokenTypes.push_back(t.get<int32_t>());
    }
    if (f.hasKey("tokenizer.ggml.merges")) {
        const json *merges =
            requireArray("tokenizer.ggml.merges", GgufValueType::String, "strings");
        spec.merges.reserve(merges->size());
        for (const json &m : *merges)
            spec.merges.push_back(m.get<std::string>());
    }
    auto readId = [&](const char *key) -> std::optional<int32_t> {
        if (!f.hasKey(key))
            return std::nullopt;
        const uint64_t id = f.getUint(key);
        if (id >= n)
            throwBadInput(f.describe(std::string(key) + " = " + std::to_string(id) +
                                     " is not a token id (the vocabulary has " + std::to_string(n) +
                                     " tokens)"));
        return static_cast<int32_t>(id);
    };
    spec.bosId = readId("tokenizer.ggml.bos_token_id");
    spec.eosId = readId("tokenizer.ggml.eos_token_id");
    spec.unkId = readId("tokenizer.ggml.unknown_token_id");
    spec.padId = readId("tokenizer.ggml.padding_token_id");
    // llama.cpp (and transformers' GGUF loader) add BOS to a SentencePiece vocabulary unless the
    // file says otherwise.
    spec.addBos = f.hasKey("tokenizer.ggml.add_bos_token")
                      ? f.getBool("tokenizer.ggml.add_bos_token")
                      : spec.model == TokenizerSpec::Model::SentencePieceBpe;
    spec.addEos =
        f.hasKey("tokenizer.ggml.add_eos_token") && f.getBool("tokenizer.ggml.add_eos_token");
    spec.preTokenizer = preTokenizerFamily(
        f.hasKey("tokenizer.ggml.pre") ? f.getString("tokenizer.ggml.pre") : std::string());
    // SentencePiece: "▁" before the text as sentencepiece and llama.cpp do it (before every
    // piece between special tokens, even when the text starts with a space), which is also what
    // the Llama-2 tokenizer.json that convertGgufToHuggingFace writes does.
    spec.addSpacePrefix = !f.hasKey("tokenizer.ggml.add_space_prefix") ||
                          f.getBool("tokenizer.ggml.add_space_prefix");
    spec.legacySpacePrefix = true;
    if (f.hasKey("tokenizer.chat_template"))
        spec.chatTemplate = f.getString("tokenizer.chat_template");
    return spec;
}

} // namespace ft
