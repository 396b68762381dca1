// GGUF -> Hugging Face folder: config.json, generation_config.json, model.safetensors (F32, HF
// names, llama.cpp's Q/K permutation undone), tokenizer.json + tokenizer_config.json.
#include "ft/convert.h"

#include "ft/error.h"
#include "io/ggufmodel.h"
#include "io/safetensorswriter.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <unistd.h>

namespace ft {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Pre-tokenizer regexes, as in the reference tokenizer.json files and transformers'
// integrations/gguf/gguf_tokenizer_mapping.py (GGUF_PRE_TOKENIZER_SPLITS).
const char *const kLlama3Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char *const kQwen2Split =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

void writeJsonFile(const fs::path &file, const json &j)
{
    std::ofstream out(file, std::ios::binary);
    out << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    out.close();
    if (!out)
        throwBadInput("cannot write " + file.string());
}

json byteLevel(bool addPrefixSpace, bool trimOffsets, bool useRegex)
{
    return {{"type", "ByteLevel"},
            {"add_prefix_space", addPrefixSpace},
            {"trim_offsets", trimOffsets},
            {"use_regex", useRegex}};
}

json splitThenByteLevel(const char *regex)
{
    return {{"type", "Sequence"},
            {"pretokenizers", json::array({{{"type", "Split"},
                                            {"pattern", {{"Regex", regex}}},
                                            {"behavior", "Isolated"},
                                            {"invert", false}},
                                           byteLevel(false, true, false)})}};
}

// The Split/ByteLevel pre-tokenizer of a byte-level family (TokenizerSpec::preTokenizer).
// Families without an entry get GPT-2's, as transformers' GGUF loader does.
json byteLevelPreTokenizer(const std::string &family)
{
    if (family == "llama3")
        return splitThenByteLevel(kLlama3Split);
    if (family == "qwen2")
        return splitThenByteLevel(kQwen2Split);
    if (family == "smollm") // SmolLM's tokenizer.json: single digits, then GPT-2's regex
        return {{"type", "Sequence"},
                {"pretokenizers", json::array({{{"type", "Digits"}, {"individual_digits", true}},
                                               byteLevel(false, true, true)})}};
    return byteLevel(false, true, true);
}

// BOS/EOS around each sequence, as tokenizer.json expresses add_bos_token / add_eos_token.
json templateProcessor(const TokenizerSpec &spec)
{
    json single = json::array(), pair = json::array(), special = json::object();
    auto addSpecial = [&](int32_t id, json &seq, int typeId) {
        const std::string &text = spec.tokens[static_cast<size_t>(id)];
        seq.push_back({{"SpecialToken", {{"id", text}, {"type_id", typeId}}}});
        special[text] = {{"id", text}, {"ids", {id}}, {"tokens", {text}}};
    };
    for (int part = 0; part < 2; ++part) {
        json &seq = part == 0 ? single : pair;
        for (int s = 0; s <= part; ++s) {
            if (spec.addBos && spec.bosId)
                addSpecial(*spec.bosId, seq, s);
            seq.push_back({{"Sequence", {{"id", s == 0 ? "A" : "B"}, {"type_id", s}}}});
            if (spec.addEos && spec.eosId)
                addSpecial(*spec.eosId, seq, s);
        }
    }
    return {{"type", "TemplateProcessing"},
            {"single", single},
            {"pair", pair},
            {"special_tokens", special}};
}

json addedTokens(const TokenizerSpec &spec)
{
    json added = json::array();
    for (size_t id = 0; id < spec.tokenTypes.size(); ++id) {
        const int32_t type = spec.tokenTypes[id];
        // 2 unknown, 3 control: special; 4 user defined: matched whole but not special.
        if (type != 2 && type != 3 && type != 4)
            continue;
        added.push_back({{"id", id},
                         {"content", spec.tokens[id]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", type != 4}});
    }
    return added;
}

// Code point lengths and boundaries (an invalid byte counts as one unit).
std::vector<size_t> codePointStarts(const std::string &s)
{
    std::vector<size_t> starts;
    for (size_t i = 0; i < s.size();) {
        starts.push_back(i);
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 1;
        if (i + len > s.size())
            len = 1;
        i += len;
    }
    return starts;
}

// transformers' tokenization_utils_base.generate_merges(vocab, vocab_scores), which its GGUF
// loader uses for a SentencePiece vocabulary without merges: every split of a token into two
// tokens, ordered by the token's score (best first), then by the pieces' lengths.
std::vector<std::string> mergesFromScores(const TokenizerSpec &spec)
{
    std::unordered_map<std::string, int64_t> vocab; // token -> last id (Python dict semantics)
    for (size_t i = 0; i < spec.tokens.size(); ++i)
        vocab[spec.tokens[i]] = static_cast<int64_t>(i);
    struct Merge
    {
        std::string lText, rText;
        float score;
        size_t lLen, rLen; // in code points, as Python's len()
        int64_t lId, rId;
    };
    std::vector<Merge> merges;
    std::unordered_set<std::string>
        visited; // dict(zip(tokens, scores)): first position, last score
    std::unordered_map<std::string, float> lastScore;
    for (size_t i = 0; i < spec.tokens.size(); ++i)
        lastScore[spec.tokens[i]] = spec.scores[i];
    for (size_t i = 0; i < spec.tokens.size(); ++i) {
        const std::string &token = spec.tokens[i];
        if (!visited.insert(token).second)
            continue;
        const float score = lastScore[token];
        const std::vector<size_t> starts = codePointStarts(token);
        std::vector<Merge> local;
        for (size_t k = 1; k < starts.size(); ++k) {
            std::string l = token.substr(0, starts[k]), r = token.substr(starts[k]);
            auto li = vocab.find(l), ri = vocab.find(r);
            if (li == vocab.end() || ri == vocab.end())
                continue;
            local.push_back(
                {std::move(l), std::move(r), score, k, starts.size() - k, li->second, ri->second});
        }
        std::stable_sort(local.begin(), local.end(), [](const Merge &a, const Merge &b) {
            return std::tie(a.lId, a.rId) < std::tie(b.lId, b.rId);
        });
        for (Merge &m : local)
            merges.push_back(std::move(m));
    }
    // sorted(..., key=(score, len(l), len(r)), reverse=True) keeps equal keys in order.
    std::stable_sort(merges.begin(), merges.end(), [](const Merge &a, const Merge &b) {
        return std::tie(a.score, a.lLen, a.rLen) > std::tie(b.score, b.lLen, b.rLen);
    });
    std::vector<std::string> out;
    out.reserve(merges.size());
    for (const Merge &m : merges)
        out.push_back(m.lText + " " + m.rText);
    return out;
}

json tokenizerJson(const TokenizerSpec &spec)
{
    const bool addSpacePrefix = spec.addSpacePrefix;
    const bool sentencePiece = spec.model == TokenizerSpec::Model::SentencePieceBpe;
    json vocab = json::object();
    for (size_t i = 0; i < spec.tokens.size(); ++i)
        vocab[spec.tokens[i]] = i;
    const std::vector<std::string> merges =
        sentencePiece && spec.merges.empty() && spec.scores.size() == spec.tokens.size()
            ? mergesFromScores(spec)
            : spec.merges;

    json model = {{"type", "BPE"},
                  {"dropout", nullptr},
                  {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr},
                  {"vocab", std::move(vocab)},
                  {"merges", merges}};
    json t = {{"version", "1.0"},
              {"truncation", nullptr},
              {"padding", nullptr},
              {"added_tokens", addedTokens(spec)}};
    const bool template_ = (spec.addBos && spec.bosId) || (spec.addEos && spec.eosId);
    if (sentencePiece) {
        // The Llama-2 tokenizer.json form (spec.legacySpacePrefix, as openGgufModel sets it).
        model["unk_token"] =
            spec.unkId ? json(spec.tokens[static_cast<size_t>(*spec.unkId)]) : json(nullptr);
        model["fuse_unk"] = true;
        model["byte_fallback"] = true;
        model["ignore_merges"] = false;
        json replace = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}};
        t["normalizer"] =
            addSpacePrefix
                ? json{{"type", "Sequence"},
                       {"normalizers",
                        json::array({{{"type", "Prepend"}, {"prepend", "\u2581"}}, replace})}}
                : replace;
        t["pre_tokenizer"] = nullptr;
        json decoders = json::array(
            {{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
             {{"type", "ByteFallback"}},
             {{"type", "Fuse"}}});
        if (addSpacePrefix)
            decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
        t["decoder"] = {{"type", "Sequence"}, {"decoders", decoders}};
        t["post_processor"] = template_ ? templateProcessor(spec) : json(nullptr);
    } else {
        model["unk_token"] = nullptr;
        model["fuse_unk"] = false;
        model["byte_fallback"] = false;
        // llama.cpp skips the merges for a word that is a token in the Llama-3 family, as
        // Llama-3's own tokenizer.json (ignore_merges: true) does.
        model["ignore_merges"] = spec.preTokenizer == "llama3";
        t["normalizer"] = nullptr;
        t["pre_tokenizer"] = byteLevelPreTokenizer(spec.preTokenizer);
        t["decoder"] = byteLevel(true, true, true);
        t["post_processor"] = template_ ? templateProcessor(spec) : byteLevel(true, false, true);
    }
    t["model"] = std::move(model);
    return t;
}

json tokenizerConfig(const TokenizerSpec &spec, const json &hfConfig)
{
    auto tokenText = [&](const std::optional<int32_t> &id) {
        return id ? json(spec.tokens[static_cast<size_t>(*id)]) : json(nullptr);
    };
    json c = {{"tokenizer_class", "PreTrainedTokenizerFast"},
              {"add_bos_token", spec.addBos},
              {"add_eos_token", spec.addEos},
              {"bos_token", tokenText(spec.bosId)},
              {"eos_token", tokenText(spec.eosId)},
              {"unk_token", tokenText(spec.unkId)},
              {"pad_token", tokenText(spec.padId)},
              {"clean_up_tokenization_spaces", false},
              {"model_max_length", hfConfig.value("max_position_embeddings", 2048)}};
    if (spec.model == TokenizerSpec::Model::SentencePieceBpe)
        c["legacy"] = true;
    if (!spec.chatTemplate.empty())
        c["chat_template"] = spec.chatTemplate;
    return c;
}

void writeFolder(const fs::path &ggufFile, const fs::path &dir)
{
    GgufModel model = openGgufModel(ggufFile);
    const json &config = model.hfConfig;
    writeJsonFile(dir / "config.json", config);

    json generation = {{"_from_model_config", true}};
    for (const char *key : {"bos_token_id", "eos_token_id", "pad_token_id"})
        if (config.contains(key) && !config[key].is_null())
            generation[key] = config[key];
    writeJsonFile(dir / "generation_config.json", generation);

    // Tied embeddings: GGUF has no output.weight then, so lm_head is not written either.
    const WeightSource &w = *model.weights;
    std::vector<SafetensorsWriteEntry> entries;
    for (const std::string &name : w.tensorNames())
        entries.push_back(
            {name, torch::kFloat32, w.shape(name), [&w, name] { return w.loadFloat32(name); }});
    writeSafetensors(dir / "model.safetensors", entries, {{"format", "pt"}});

    if (model.tokenizer) {
        writeJsonFile(dir / "tokenizer.json", tokenizerJson(*model.tokenizer));
        writeJsonFile(dir / "tokenizer_config.json", tokenizerConfig(*model.tokenizer, config));
    }
}

} // namespace

void convertGgufToHuggingFace(const fs::path &ggufFile, const fs::path &outDirIn)
{
    const fs::path outDir = fs::absolute(outDirIn).lexically_normal();
    const fs::path target = outDir.filename().empty() ? outDir.parent_path() : outDir;
    std::error_code ec;
    if (fs::exists(target, ec)) {
        if (!fs::is_directory(target, ec))
            throwBadInput("output " + target.string() + " exists and is not a folder");
        if (!fs::is_empty(target, ec))
            throwBadInput("output folder " + target.string() +
                          " is not empty; refusing to overwrite it (choose a new folder)");
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec)
        throwBadInput("cannot create " + target.parent_path().string() + ": " + ec.message());
    const fs::path tmp = target.parent_path() /
                         ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()));
    fs::remove_all(tmp, ec);
    if (!fs::create_directory(tmp, ec) || ec)
        throwBadInput("cannot create " + tmp.string() + ": " + ec.message());
    try {
        writeFolder(ggufFile, tmp);
        if (fs::exists(target))
            fs::remove(target); // empty, checked above
        fs::rename(tmp, target);
    } catch (const fs::filesystem_error &e) {
        fs::remove_all(tmp, ec);
        throwBadInput("cannot write " + target.string() + ": " + e.what());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

} // namespace ft
