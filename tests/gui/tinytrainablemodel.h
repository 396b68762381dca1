// A tiny random Llama (Hugging Face folder) with a byte-level BPE tokenizer without merges (every
// byte a token, so any text fits the vocabulary), written in plain C++ so that GUI tests and
// benches can train without Python. Weights: N(0, 0.02), norms 1, seeded.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace fttest {

struct TinyLlamaShape
{
    int hidden = 64;
    int intermediate = 160;
    int layers = 2;
    int heads = 4;
    int kvHeads = 2;
};

inline nlohmann::json byteLevelTokenizerJson()
{
    // GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards.
    std::vector<int> printable;
    for (int b = '!'; b <= '~'; ++b) printable.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b) printable.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b) printable.push_back(b);
    std::vector<int> codepoint(256, -1);
    for (int b : printable) codepoint[b] = b;
    int next = 256;
    for (int b = 0; b < 256; ++b)
        if (codepoint[b] < 0) codepoint[b] = next++;
    nlohmann::ordered_json vocab;
    vocab["<s>"] = 0;
    vocab["</s>"] = 1;
    for (int b = 0; b < 256; ++b) {
        const int cp = codepoint[b];
        std::string utf8;
        if (cp < 0x80) {
            utf8 += char(cp);
        } else {
            utf8 += char(0xC0 | (cp >> 6));
            utf8 += char(0x80 | (cp & 0x3F));
        }
        vocab[utf8] = 2 + b;
    }
    auto special = [](int id, const char *text) {
        return nlohmann::json{{"id", id},         {"content", text}, {"single_word", false},
                              {"lstrip", false},  {"rstrip", false}, {"normalized", false},
                              {"special", true}};
    };
    const nlohmann::json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false},
                                      {"trim_offsets", true}, {"use_regex", true}};
    return {{"version", "1.0"},
            {"truncation", nullptr},
            {"padding", nullptr},
            {"added_tokens", {special(0, "<s>"), special(1, "</s>")}},
            {"normalizer", nullptr},
            {"pre_tokenizer", byteLevel},
            {"post_processor", nullptr},
            {"decoder", byteLevel},
            {"model",
             {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr},
              {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr},
              {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
              {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
}

// Writes config.json, model.safetensors, tokenizer.json and tokenizer_config.json into `dir`.
inline void writeTinyLlama(const std::filesystem::path &dir, const TinyLlamaShape &s = {},
                           unsigned seed = 7)
{
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    const int vocab = 258, headDim = s.hidden / s.heads;
    const nlohmann::json config = {
        {"architectures", {"LlamaForCausalLM"}}, {"model_type", "llama"},
        {"vocab_size", vocab}, {"hidden_size", s.hidden}, {"intermediate_size", s.intermediate},
        {"num_hidden_layers", s.layers}, {"num_attention_heads", s.heads},
        {"num_key_value_heads", s.kvHeads}, {"max_position_embeddings", 2048},
        {"rms_norm_eps", 1e-5}, {"rope_theta", 10000.0}, {"hidden_act", "silu"},
        {"tie_word_embeddings", false}, {"torch_dtype", "float32"}, {"bos_token_id", 0},
        {"eos_token_id", 1}};
    std::ofstream(dir / "config.json") << config.dump(2);
    std::ofstream(dir / "tokenizer.json") << byteLevelTokenizerJson().dump();
    std::ofstream(dir / "tokenizer_config.json")
        << nlohmann::json{{"bos_token", "<s>"}, {"eos_token", "</s>"},
                          {"tokenizer_class", "PreTrainedTokenizerFast"}}.dump();

    std::vector<std::pair<std::string, std::vector<int64_t>>> tensors;
    auto add = [&](const std::string &name, std::vector<int64_t> shape) {
        tensors.emplace_back(name, std::move(shape));
    };
    add("model.embed_tokens.weight", {vocab, s.hidden});
    for (int l = 0; l < s.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        add(p + "input_layernorm.weight", {s.hidden});
        add(p + "post_attention_layernorm.weight", {s.hidden});
        add(p + "self_attn.q_proj.weight", {s.heads * headDim, s.hidden});
        add(p + "self_attn.k_proj.weight", {s.kvHeads * headDim, s.hidden});
        add(p + "self_attn.v_proj.weight", {s.kvHeads * headDim, s.hidden});
        add(p + "self_attn.o_proj.weight", {s.hidden, s.heads * headDim});
        add(p + "mlp.gate_proj.weight", {s.intermediate, s.hidden});
        add(p + "mlp.up_proj.weight", {s.intermediate, s.hidden});
        add(p + "mlp.down_proj.weight", {s.hidden, s.intermediate});
    }
    add("model.norm.weight", {s.hidden});
    add("lm_head.weight", {vocab, s.hidden});

    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    std::vector<float> data;
    std::mt19937 gen(seed);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    for (const auto &[name, shape] : tensors) {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        const int64_t begin = int64_t(data.size()) * 4;
        const bool norm = shape.size() == 1;
        for (int64_t i = 0; i < n; ++i)
            data.push_back(norm ? 1.0f : normal(gen));
        header[name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {begin, begin + n * 4}}};
    }
    std::string text = header.dump();
    while (text.size() % 8 != 0)
        text += ' ';
    const uint64_t length = text.size();
    std::ofstream out(dir / "model.safetensors", std::ios::binary);
    char lengthBytes[8];
    for (int i = 0; i < 8; ++i)
        lengthBytes[i] = char((length >> (8 * i)) & 0xFF);
    out.write(lengthBytes, 8);
    out.write(text.data(), std::streamsize(text.size()));
    out.write(reinterpret_cast<const char *>(data.data()), std::streamsize(data.size() * 4));
}

} // namespace fttest
