#include "export/ggufvocab.h"

#include "export/ggufwriter.h"
#include "ft/error.h"
#include "ft/modelfiles.h"
#include "tokenizer/jsonfile.h"
#include "tokenizer/sentencepieceloader.h"

#include <fstream>

namespace ft {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// llama.cpp's token types (gguf.TokenType)
constexpr int32_t kNormal = 1, kControl = 3, kUserDefined = 4, kUnused = 5;

// Pre-tokenizer regexes of the byte-level families llama.cpp knows by name.
const char *const kLlama3Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char *const kQwen2Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// tokenizer.json's pre_tokenizer -> the TokenizerSpec family (written as tokenizer.ggml.pre).
std::string byteLevelFamily(const json &pre, const std::string &where)
{
    if (pre.is_object() && pre.value("type", "") == "ByteLevel" && pre.value("use_regex", true))
        return "gpt2";
    if (pre.is_object() && pre.value("type", "") == "Sequence" && pre.contains("pretokenizers")) {
        const json &seq = pre.at("pretokenizers");
        if (seq.size() == 2 && seq[0].value("type", "") == "Split" && seq[0].contains("pattern") &&
            seq[0]["pattern"].contains("Regex") && seq[1].value("type", "") == "ByteLevel") {
            const std::string regex = seq[0]["pattern"]["Regex"].get<std::string>();
            if (regex == kLlama3Split)
                return "llama3";
            if (regex == kQwen2Split)
                return "qwen2";
        }
        if (seq.size() == 2 && seq[0].value("type", "") == "Digits" &&
            seq[0].value("individual_digits", false) && seq[1].value("type", "") == "ByteLevel")
            return "smollm";
    }
    throwBadInput(where + ": its pre_tokenizer is not one llama.cpp knows by name (GPT-2, "
                          "Llama-3, Qwen2, SmolLM); cannot write it to GGUF");
}

std::string preName(const std::string &family)
{
    if (family == "gpt2")
        return "gpt-2";
    if (family == "llama3")
        return "llama-bpe";
    return family; // "qwen2", "smollm"
}

std::vector<std::string> mergesOf(const fs::path &folder)
{
    std::vector<std::string> merges;
    if (fs::exists(folder / "tokenizer.json")) {
        const json doc = tok::readJsonFile(folder / "tokenizer.json");
        const json &m = doc.at("model").value("merges", json::array());
        for (const json &e : m)
            merges.push_back(e.is_string()
                                 ? e.get<std::string>()
                                 : e.at(0).get<std::string>() + " " + e.at(1).get<std::string>());
        return merges;
    }
    std::ifstream in(folder / "merges.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("#version", 0) == 0 || line.empty())
            continue;
        merges.push_back(line);
    }
    return merges;
}

} // namespace

std::optional<TokenizerSpec> tokenizerSpecForGguf(const fs::path &folder, int64_t modelVocab)
{
    const bool sentencePiece = fs::exists(folder / "tokenizer.model");
    const bool hasJson = fs::exists(folder / "tokenizer.json");
    if (!sentencePiece && !hasJson && !fs::exists(folder / "vocab.json"))
        return std::nullopt;
    // The engine's own tokenizer gives the special ids, template and BOS/EOS rules as the folder's
    // tokenizer_config.json sets them.
    const std::unique_ptr<Tokenizer> tokenizer = openTokenizer(folder);
    TokenizerSpec spec;
    if (sentencePiece) {
        spec = tok::SentencePieceLoader::readSpec(folder / "tokenizer.model");
        spec.model = TokenizerSpec::Model::SentencePieceBpe;
    } else {
        if (hasJson) {
            const nlohmann::json doc = tok::readJsonFile(folder / "tokenizer.json");
            const nlohmann::json &model = doc.at("model");
            if (model.value("byte_fallback", false))
                throwBadInput((folder / "tokenizer.json").string() +
                              ": a SentencePiece-style BPE without its tokenizer.model; put the "
                              "tokenizer.model beside it to export to GGUF");
            spec.preTokenizer = byteLevelFamily(doc.value("pre_tokenizer", nlohmann::json()),
                                                (folder / "tokenizer.json").string());
        }
        spec.model = TokenizerSpec::Model::ByteLevelBpe;
        spec.merges = mergesOf(folder);
        const int32_t n = tokenizer->vocabSize();
        spec.tokens.reserve(static_cast<size_t>(n));
        for (int32_t id = 0; id < n; ++id) {
            spec.tokens.push_back(tokenizer->tokenText(id));
            spec.tokenTypes.push_back(tokenizer->isSpecial(id) ? kControl : kNormal);
        }
        if (hasJson) { // added tokens that are not special: USER_DEFINED, as llama.cpp marks them
            const nlohmann::json doc = tok::readJsonFile(folder / "tokenizer.json");
            for (const nlohmann::json &added : doc.value("added_tokens", nlohmann::json::array())) {
                const int64_t id = added.value("id", int64_t(-1));
                if (id >= 0 && id < n && !added.value("special", false))
                    spec.tokenTypes[static_cast<size_t>(id)] = kUserDefined;
            }
        }
    }
    if (static_cast<int64_t>(spec.tokens.size()) > modelVocab)
        throwBadInput(folder.string() + ": the tokenizer has " +
                      std::to_string(spec.tokens.size()) +
                      " tokens but the model's embedding only " + std::to_string(modelVocab) +
                      " rows; llama.cpp cannot load such a GGUF");
    for (int64_t id = static_cast<int64_t>(spec.tokens.size()); id < modelVocab; ++id) {
        spec.tokens.push_back("[PAD" + std::to_string(id) + "]");
        if (!spec.scores.empty())
            spec.scores.push_back(-1000.0f);
        spec.tokenTypes.push_back(kUnused);
    }
    spec.bosId = tokenizer->bosId() ? tokenizer->bosId() : spec.bosId;
    spec.eosId = tokenizer->eosId() ? tokenizer->eosId() : spec.eosId;
    spec.padId = tokenizer->padId() ? tokenizer->padId() : spec.padId;
    spec.chatTemplate = tokenizer->chatTemplate();
    // What encode(.., addSpecial) adds is what add_bos_token / add_eos_token mean.
    const std::vector<int32_t> ids = tokenizer->encode("a", true);
    spec.addBos = spec.bosId && !ids.empty() && ids.front() == *spec.bosId;
    spec.addEos = spec.eosId && !ids.empty() && ids.back() == *spec.eosId;
    return spec;
}

void addTokenizerMetadata(GgufWriter &w, const TokenizerSpec &spec)
{
    const bool sentencePiece = spec.model == TokenizerSpec::Model::SentencePieceBpe;
    w.addString("tokenizer.ggml.model", sentencePiece ? "llama" : "gpt2");
    w.addString("tokenizer.ggml.pre", sentencePiece ? "default" : preName(spec.preTokenizer));
    w.addStringArray("tokenizer.ggml.tokens", spec.tokens);
    if (!spec.scores.empty())
        w.addFloat32Array("tokenizer.ggml.scores", spec.scores);
    if (!spec.tokenTypes.empty())
        w.addInt32Array("tokenizer.ggml.token_type", spec.tokenTypes);
    if (!spec.merges.empty())
        w.addStringArray("tokenizer.ggml.merges", spec.merges);
    if (spec.bosId)
        w.addUint32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(*spec.bosId));
    if (spec.eosId)
        w.addUint32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(*spec.eosId));
    if (spec.unkId)
        w.addUint32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(*spec.unkId));
    if (spec.padId)
        w.addUint32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(*spec.padId));
    w.addBool("tokenizer.ggml.add_bos_token", spec.addBos);
    w.addBool("tokenizer.ggml.add_eos_token", spec.addEos);
    if (sentencePiece)
        w.addBool("tokenizer.ggml.add_space_prefix", spec.addSpacePrefix);
    if (!spec.chatTemplate.empty())
        w.addString("tokenizer.chat_template", spec.chatTemplate);
}

} // namespace ft
