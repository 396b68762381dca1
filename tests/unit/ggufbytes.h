// Test helpers for the GGUF tests: a byte-by-byte GGUF builder, a tiny llama GGUF with its
// expected values (computed from the format's definitions, not from the code under test), and a
// scratch folder with a BadInput expectation.
#pragma once
#include "ft/convert.h"
#include "ft/error.h"
#include "io/ggufdequant.h"
#include "io/gguffile.h"
#include "io/ggufmodel.h"
#include "io/safetensorswriter.h"

#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>

using ft::ErrorKind;
using nlohmann::json;

// QCOMPARE cannot take nlohmann::json (its implicit conversions clash with Qt's overloads).
#define FT_JSON_EQ(actual, expected)                                                               \
    do {                                                                                           \
        const json a_ = (actual), e_ = (expected);                                                 \
        QVERIFY2(a_ == e_, qPrintable(QString::fromStdString(a_.dump() + " != " + e_.dump())));    \
    } while (false)

namespace {

// Little-endian GGUF byte builder.
class GgufBytes
{
public:
    std::string bytes;

    template <typename T> GgufBytes &put(T v)
    {
        bytes.append(reinterpret_cast<const char *>(&v), sizeof(T));
        return *this;
    }
    GgufBytes &str(const std::string &s)
    {
        put<uint64_t>(s.size());
        bytes += s;
        return *this;
    }
    GgufBytes &header(uint64_t tensors, uint64_t kvs, uint32_t version = 3)
    {
        bytes += "GGUF";
        put<uint32_t>(version);
        return put<uint64_t>(tensors).put<uint64_t>(kvs);
    }
    GgufBytes &kvStr(const std::string &k, const std::string &v)
    {
        return str(k).put<uint32_t>(8).str(v);
    }
    GgufBytes &kvU32(const std::string &k, uint32_t v) { return str(k).put<uint32_t>(4).put(v); }
    GgufBytes &kvF32(const std::string &k, float v) { return str(k).put<uint32_t>(6).put(v); }
    GgufBytes &kvBool(const std::string &k, bool v)
    {
        return str(k).put<uint32_t>(7).put<uint8_t>(v);
    }
    GgufBytes &kvStrings(const std::string &k, const std::vector<std::string> &v)
    {
        str(k).put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(v.size());
        for (const auto &s : v)
            str(s);
        return *this;
    }
    template <typename T>
    GgufBytes &kvArray(const std::string &k, uint32_t elemType, const std::vector<T> &v)
    {
        str(k).put<uint32_t>(9).put<uint32_t>(elemType).put<uint64_t>(v.size());
        for (T x : v)
            put<T>(x);
        return *this;
    }
    GgufBytes &tensor(const std::string &name, const std::vector<uint64_t> &ne, uint32_t type,
                      uint64_t offset)
    {
        str(name).put<uint32_t>(static_cast<uint32_t>(ne.size()));
        for (uint64_t n : ne)
            put<uint64_t>(n);
        return put<uint32_t>(type).put<uint64_t>(offset);
    }
    GgufBytes &align(size_t a = 32)
    {
        bytes.append((a - bytes.size() % a) % a, '\0');
        return *this;
    }
};

// Reference fp32 -> fp16 for values exactly representable in half (normal range), written
// from the IEEE layout independently of the code under test.
uint16_t exactHalf(float f)
{
    if (f == 0.0f)
        return std::signbit(f) ? 0x8000 : 0;
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    const uint32_t sign = (bits >> 16) & 0x8000;
    const int32_t exp = static_cast<int32_t>((bits >> 23) & 0xFF) - 127 + 15;
    const uint32_t mant = (bits >> 13) & 0x3FF;
    return static_cast<uint16_t>(sign | (static_cast<uint32_t>(exp) << 10) | mant);
}

struct Model
{
    std::string bytes;
    // stored (ggml-side) data of each tensor, row-major in torch order
    std::map<std::string, std::vector<float>> data;
};

// A tiny llama: hidden 8, 2 heads of 4, 1 kv head, ffn 16, `layers` layers, vocab 6, F32,
// tied embeddings, a byte-level tokenizer. Tensor values: row r, column c -> seed + r*100 + c.
Model tinyLlama(const std::string &arch = "llama", int layers = 1, bool withTokenizer = true)
{
    const int64_t hidden = 8, heads = 2, kv = 1, hd = 4, ffn = 16, vocab = 6;
    struct T
    {
        std::string name;
        std::vector<int64_t> shape;
    }; // torch order
    std::vector<T> ts = {{"token_embd.weight", {vocab, hidden}}, {"output_norm.weight", {hidden}}};
    for (int i = 0; i < layers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        ts.push_back({b + "attn_norm.weight", {hidden}});
        ts.push_back({b + "attn_q.weight", {heads * hd, hidden}});
        ts.push_back({b + "attn_k.weight", {kv * hd, hidden}});
        ts.push_back({b + "attn_v.weight", {kv * hd, hidden}});
        ts.push_back({b + "attn_output.weight", {hidden, heads * hd}});
        ts.push_back({b + "ffn_norm.weight", {hidden}});
        ts.push_back({b + "ffn_gate.weight", {ffn, hidden}});
        ts.push_back({b + "ffn_up.weight", {ffn, hidden}});
        ts.push_back({b + "ffn_down.weight", {hidden, ffn}});
        if (arch == "qwen2") {
            ts.push_back({b + "attn_q.bias", {heads * hd}});
            ts.push_back({b + "attn_k.bias", {kv * hd}});
            ts.push_back({b + "attn_v.bias", {kv * hd}});
        }
    }
    std::vector<std::string> tokens = {"<s>", "</s>", "a", "b", "ab", "Ġab"};
    GgufBytes g;
    const uint64_t kvs = 10 + (withTokenizer ? 9 : 0);
    g.header(ts.size(), kvs);
    g.kvStr("general.architecture", arch).kvStr("general.name", "tiny");
    g.kvU32(arch + ".block_count", layers).kvU32(arch + ".embedding_length", hidden);
    g.kvU32(arch + ".feed_forward_length", ffn).kvU32(arch + ".attention.head_count", heads);
    g.kvU32(arch + ".attention.head_count_kv", kv).kvU32(arch + ".context_length", 128);
    g.kvF32(arch + ".rope.freq_base", 10000.0f);
    g.kvF32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
    if (withTokenizer) {
        g.kvStr("tokenizer.ggml.model", "gpt2").kvStr("tokenizer.ggml.pre", "llama-bpe");
        g.kvStrings("tokenizer.ggml.tokens", tokens);
        g.kvArray<int32_t>("tokenizer.ggml.token_type", 5, {3, 3, 1, 1, 1, 1});
        g.kvStrings("tokenizer.ggml.merges", {"a b", "Ġ ab"});
        g.kvU32("tokenizer.ggml.bos_token_id", 0).kvU32("tokenizer.ggml.eos_token_id", 1);
        g.kvBool("tokenizer.ggml.add_bos_token", true);
        g.kvStr("tokenizer.chat_template", "{{ messages }}");
    }
    Model m;
    uint64_t offset = 0;
    float seed = 0;
    for (const T &t : ts) {
        std::vector<uint64_t> ne(t.shape.rbegin(), t.shape.rend());
        g.tensor(t.name, ne, ft::ggml::F32, offset);
        const int64_t rows = t.shape.size() == 2 ? t.shape[0] : 1;
        const int64_t cols = t.shape.back();
        std::vector<float> v;
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < cols; ++c)
                v.push_back(seed + static_cast<float>(r * 100 + c));
        seed += 10000;
        offset += v.size() * 4;
        offset += (32 - offset % 32) % 32;
        m.data[t.name] = std::move(v);
    }
    g.align();
    for (const T &t : ts) {
        const auto &v = m.data[t.name];
        g.bytes.append(reinterpret_cast<const char *>(v.data()), v.size() * 4);
        g.align();
    }
    m.bytes = g.bytes;
    return m;
}

} // namespace

// A scratch folder for written files, and the BadInput check every GGUF test uses.
class GgufScratch
{
protected:
    QTemporaryDir m_dir;

    std::string writeFile(const QString &name, const std::string &bytes)
    {
        const std::string path = m_dir.filePath(name).toStdString();
        std::ofstream(path, std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return path;
    }

    // Runs f, expects ft::Error(BadInput) whose message names the file and contains `needle`.
    void expectBadInput(const std::string &path, const std::function<void()> &f,
                        const QString &needle = QString())
    {
        try {
            f();
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ErrorKind::BadInput);
            const QString msg = QString::fromStdString(e.what());
            QVERIFY2(msg.contains(QString::fromStdString(path)), qPrintable(msg));
            if (!needle.isEmpty())
                QVERIFY2(msg.contains(needle, Qt::CaseInsensitive), qPrintable(msg));
            return;
        }
        QFAIL(qPrintable("no BadInput error for " + QString::fromStdString(path)));
    }
};

