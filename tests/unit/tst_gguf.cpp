// GGUF reader, dequantisation, GGUF -> HF mapping, safetensors writer and GGUF -> HF conversion,
// on GGUF files built byte by byte here (expected values computed here from the format's
// definitions, not taken from the code under test).
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

class TestGguf : public QObject
{
    Q_OBJECT

private:
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

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void halfConversion()
    {
        QCOMPARE(ft::halfToFloat(0x3C00), 1.0f);
        QCOMPARE(ft::halfToFloat(0xC000), -2.0f);
        QCOMPARE(ft::halfToFloat(0x3555), 0.333251953125f);
        QCOMPARE(ft::halfToFloat(0x0001), std::ldexp(1.0f, -24));    // smallest subnormal
        QCOMPARE(ft::halfToFloat(0x03FF), std::ldexp(1023.0f, -24)); // largest subnormal
        QCOMPARE(ft::halfToFloat(0x7BFF), 65504.0f);
        QVERIFY(std::isinf(ft::halfToFloat(0x7C00)));
        QVERIFY(std::isnan(ft::halfToFloat(0x7E00)));
        QVERIFY(std::signbit(ft::halfToFloat(0x8000)));
        QCOMPARE(ft::bf16ToFloat(0x3F80), 1.0f);
        QCOMPARE(ft::bf16ToFloat(0xC0A0), -5.0f);
        // every half round-trips through float -> torch half
        for (uint32_t h = 0; h < 0x10000; ++h) {
            const float f = ft::halfToFloat(static_cast<uint16_t>(h));
            if (std::isnan(f))
                continue;
            const at::Half back(f);
            QCOMPARE(static_cast<uint32_t>(back.x), h);
        }
    }

    void metadataAllTypes_data()
    {
        QTest::addColumn<uint32_t>("version");
        QTest::newRow("v3") << 3u;
        QTest::newRow("v2") << 2u;
    }
    void metadataAllTypes()
    {
        QFETCH(uint32_t, version);
        GgufBytes g;
        g.header(1, 18, version);
        g.str("u8").put<uint32_t>(0).put<uint8_t>(200);
        g.str("i8").put<uint32_t>(1).put<int8_t>(-100);
        g.str("u16").put<uint32_t>(2).put<uint16_t>(60000);
        g.str("i16").put<uint32_t>(3).put<int16_t>(-30000);
        g.kvU32("u32", 4000000000u);
        g.str("i32").put<uint32_t>(5).put<int32_t>(-2000000000);
        g.kvF32("f32", 0.25f);
        g.kvBool("bool", true);
        g.kvStr("str", "h\xC3\xA9llo");
        g.str("u64").put<uint32_t>(10).put<uint64_t>(18000000000000000000ull);
        g.str("i64").put<uint32_t>(11).put<int64_t>(-9000000000000000000ll);
        g.str("f64").put<uint32_t>(12).put<double>(-1.5e300);
        g.kvArray<int32_t>("arr.i32", 5, {1, -2, 3});
        g.kvArray<float>("arr.f32", 6, {0.5f, -0.75f});
        g.kvArray<uint8_t>("arr.bool", 7, {1, 0});
        g.kvStrings("arr.str", {"x", "", "yz"});
        g.kvArray<int32_t>("arr.empty", 5, {});
        g.str("general.alignment").put<uint32_t>(4).put<uint32_t>(64);
        g.tensor("w", {4, 2}, ft::ggml::F32, 0);
        g.align(64);
        const size_t dataStart = g.bytes.size();
        for (int i = 0; i < 8; ++i)
            g.put<float>(static_cast<float>(i));
        const std::string path = writeFile("meta.gguf", g.bytes);

        ft::GgufFile f(path);
        QCOMPARE(f.version(), version);
        const json &m = f.metadata();
        QCOMPARE(m["u8"].get<int>(), 200);
        QCOMPARE(m["i8"].get<int>(), -100);
        QCOMPARE(m["u16"].get<int>(), 60000);
        QCOMPARE(m["i16"].get<int>(), -30000);
        QCOMPARE(m["u32"].get<uint64_t>(), 4000000000ull);
        QCOMPARE(m["i32"].get<int64_t>(), -2000000000ll);
        QCOMPARE(m["f32"].get<double>(), 0.25);
        QCOMPARE(m["bool"].get<bool>(), true);
        QCOMPARE(m["str"].get<std::string>(), std::string("h\xC3\xA9llo"));
        QCOMPARE(m["u64"].get<uint64_t>(), 18000000000000000000ull);
        QCOMPARE(m["i64"].get<int64_t>(), -9000000000000000000ll);
        QCOMPARE(m["f64"].get<double>(), -1.5e300);
        FT_JSON_EQ(m["arr.i32"], json({1, -2, 3}));
        FT_JSON_EQ(m["arr.f32"], json({0.5, -0.75}));
        FT_JSON_EQ(m["arr.bool"], json({true, false}));
        FT_JSON_EQ(m["arr.str"], json({"x", "", "yz"}));
        QVERIFY(m["arr.empty"].is_array() && m["arr.empty"].empty());
        QCOMPARE(f.valueType("u16"), ft::GgufValueType::Uint16);
        QCOMPARE(f.arrayType("arr.str"), ft::GgufValueType::String);
        QCOMPARE(f.getUint("u32"), uint64_t(4000000000u));
        QCOMPARE(f.getString("str"), std::string("h\xC3\xA9llo"));
        expectBadInput(
            path, [&] { f.getUint("i32"); }, "i32");
        expectBadInput(
            path, [&] { f.getString("missing.key"); }, "missing.key");

        QCOMPARE(f.alignment(), uint64_t(64));
        QCOMPARE(f.dataOffset(), uint64_t(dataStart));
        QCOMPARE(f.tensors().size(), size_t(1));
        const ft::GgufTensorInfo &t = f.tensors()[0];
        QCOMPARE(t.name, std::string("w"));
        QCOMPARE(t.ne, (std::vector<int64_t>{4, 2}));
        QCOMPARE(t.torchShape(), (std::vector<int64_t>{2, 4}));
        QCOMPARE(t.sizeBytes, uint64_t(32));
        float v[8];
        std::memcpy(v, f.tensorData(t), 32);
        QCOMPARE(v[7], 7.0f);
    }

    void defaultAlignment()
    {
        const Model m = tinyLlama();
        ft::GgufFile f(writeFile("align.gguf", m.bytes));
        QCOMPARE(f.alignment(), uint64_t(32));
        QCOMPARE(f.dataOffset() % 32, uint64_t(0));
    }

    void dequantize_data()
    {
        QTest::addColumn<uint32_t>("type");
        QTest::newRow("F32") << uint32_t(ft::ggml::F32);
        QTest::newRow("F16") << uint32_t(ft::ggml::F16);
        QTest::newRow("BF16") << uint32_t(ft::ggml::BF16);
        QTest::newRow("Q8_0") << uint32_t(ft::ggml::Q8_0);
        QTest::newRow("Q4_0") << uint32_t(ft::ggml::Q4_0);
        QTest::newRow("Q4_1") << uint32_t(ft::ggml::Q4_1);
    }
    // A 2 x 64 tensor (two blocks per row) of each type, stored through a GGUF file, loaded by
    // name through openGgufModel-independent GgufFile + dequantizeRow.
    void dequantize()
    {
        QFETCH(uint32_t, type);
        const int64_t n = 128;
        std::string raw;
        std::vector<float> expected;
        auto putU16 = [&](uint16_t v) { raw.append(reinterpret_cast<const char *>(&v), 2); };
        const float scales[] = {0.5f, -0.25f, 1.5f, 0.125f};
        const float mins[] = {-1.0f, 2.0f, 0.75f, -0.5f};
        for (int64_t b = 0; b < n / 32; ++b) {
            const float d = scales[b], mn = mins[b];
            switch (type) {
            case ft::ggml::F32:
                for (int j = 0; j < 32; ++j) {
                    const float v = d * static_cast<float>(j) - mn;
                    raw.append(reinterpret_cast<const char *>(&v), 4);
                    expected.push_back(v);
                }
                break;
            case ft::ggml::F16:
                for (int j = 0; j < 32; ++j) { // multiples of 1/8 below 64: exact in half
                    const float v = d * static_cast<float>(j - 16);
                    putU16(exactHalf(v));
                    expected.push_back(v);
                }
                break;
            case ft::ggml::BF16:
                for (int j = 0; j < 32; ++j) {
                    const float v = d * static_cast<float>(j - 16) * 1024.0f;
                    uint32_t bits;
                    std::memcpy(&bits, &v, 4);
                    putU16(static_cast<uint16_t>(bits >> 16)); // exact: few mantissa bits
                    expected.push_back(v);
                }
                break;
            case ft::ggml::Q8_0: // d, then 32 int8: y = q * d
                putU16(exactHalf(d));
                for (int j = 0; j < 32; ++j) {
                    const int8_t q = static_cast<int8_t>(j * 9 - 128 + static_cast<int>(b));
                    raw.push_back(static_cast<char>(q));
                    expected.push_back(static_cast<float>(q) * d);
                }
                break;
            case ft::ggml::Q4_0:   // d, then 16 bytes; element j = low nibble of byte j,
            case ft::ggml::Q4_1: { // element j + 16 = its high nibble; Q4_1 has m after d
                putU16(exactHalf(d));
                if (type == ft::ggml::Q4_1)
                    putU16(exactHalf(mn));
                float block[32];
                for (int j = 0; j < 16; ++j) {
                    const uint8_t lo = static_cast<uint8_t>((j * 5 + b) % 16);
                    const uint8_t hi = static_cast<uint8_t>((j * 11 + 3 * b + 7) % 16);
                    raw.push_back(static_cast<char>(lo | (hi << 4)));
                    if (type == ft::ggml::Q4_0) {
                        block[j] = static_cast<float>(lo - 8) * d;
                        block[j + 16] = static_cast<float>(hi - 8) * d;
                    } else {
                        block[j] = static_cast<float>(lo) * d + mn;
                        block[j + 16] = static_cast<float>(hi) * d + mn;
                    }
                }
                expected.insert(expected.end(), block, block + 32);
                break;
            }
            }
        }
        GgufBytes g;
        g.header(1, 1).kvStr("general.architecture", "llama");
        g.tensor("blk.0.t.weight", {64, 2}, type, 0).align();
        g.bytes += raw;
        const std::string path = writeFile("dq.gguf", g.bytes);
        ft::GgufFile f(path);
        const ft::GgufTensorInfo &t = f.tensors().at(0);
        QCOMPARE(t.sizeBytes, uint64_t(raw.size()));
        QCOMPARE(ft::ggmlTypeName(type), ft::ggmlTypeName(t.type));
        std::vector<float> got(n);
        ft::dequantizeRow(t.type, f.tensorData(t), n, got.data(), "test");
        for (int64_t i = 0; i < n; ++i) // bit-exact, not QCOMPARE's fuzzy float compare
            QVERIFY2(
                std::memcmp(&got[i], &expected[i], 4) == 0,
                qPrintable(QString("element %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
    }

    void llamaModel()
    {
        const Model m = tinyLlama("llama", 2);
        const std::string path = writeFile("tiny.gguf", m.bytes);
        ft::GgufModel model = ft::openGgufModel(path);
        const json &c = model.hfConfig;
        FT_JSON_EQ(c["architectures"], json::array({"LlamaForCausalLM"}));
        QCOMPARE(c["model_type"].get<std::string>(), std::string("llama"));
        QCOMPARE(c["hidden_size"].get<int>(), 8);
        QCOMPARE(c["intermediate_size"].get<int>(), 16);
        QCOMPARE(c["num_hidden_layers"].get<int>(), 2);
        QCOMPARE(c["num_attention_heads"].get<int>(), 2);
        QCOMPARE(c["num_key_value_heads"].get<int>(), 1);
        QCOMPARE(c["vocab_size"].get<int>(), 6);
        QCOMPARE(c["max_position_embeddings"].get<int>(), 128);
        QVERIFY(c["rms_norm_eps"].get<double>() == 1e-5); // shortest float32 spelling
        QCOMPARE(c["rope_theta"].get<double>(), 10000.0);
        QCOMPARE(c["tie_word_embeddings"].get<bool>(), true);
        QCOMPARE(c["bos_token_id"].get<int>(), 0);
        QCOMPARE(c["eos_token_id"].get<int>(), 1);
        QCOMPARE(c["torch_dtype"].get<std::string>(), std::string("float32"));
        QCOMPARE(model.fileType, std::string("F32"));

        const ft::WeightSource &w = *model.weights;
        QCOMPARE(w.tensorNames().size(), size_t(2 + 2 * 9));
        QVERIFY(!w.has("lm_head.weight"));
        QCOMPARE(w.shape("model.layers.1.self_attn.q_proj.weight"), (std::vector<int64_t>{8, 8}));
        QCOMPARE(w.shape("model.layers.0.self_attn.k_proj.weight"), (std::vector<int64_t>{4, 8}));
        QCOMPARE(w.shape("model.layers.0.mlp.down_proj.weight"), (std::vector<int64_t>{8, 16}));
        QCOMPARE(w.dtypeName("model.embed_tokens.weight"), std::string("F32"));
        const std::map<std::string, std::string> plain = {
            {"model.embed_tokens.weight", "token_embd.weight"},
            {"model.norm.weight", "output_norm.weight"},
            {"model.layers.1.input_layernorm.weight", "blk.1.attn_norm.weight"},
            {"model.layers.1.post_attention_layernorm.weight", "blk.1.ffn_norm.weight"},
            {"model.layers.1.self_attn.v_proj.weight", "blk.1.attn_v.weight"},
            {"model.layers.1.self_attn.o_proj.weight", "blk.1.attn_output.weight"},
            {"model.layers.1.mlp.gate_proj.weight", "blk.1.ffn_gate.weight"},
            {"model.layers.1.mlp.up_proj.weight", "blk.1.ffn_up.weight"},
            {"model.layers.1.mlp.down_proj.weight", "blk.1.ffn_down.weight"}};
        for (const auto &[hf, gg] : plain) {
            const torch::Tensor t = w.loadFloat32(hf);
            QCOMPARE(t.scalar_type(), torch::kFloat32);
            QVERIFY(t.is_contiguous());
            const auto &ref = m.data.at(gg);
            QCOMPARE(static_cast<size_t>(t.numel()), ref.size());
            QVERIFY2(std::memcmp(t.data_ptr<float>(), ref.data(), ref.size() * 4) == 0, hf.c_str());
        }
        // llama.cpp stores HF row (h, t * half + d) of a head as row (h, 2 * d + t)
        // (convert_hf_to_gguf.py permute: reshape(n_head, 2, half, cols).swapaxes(1, 2)).
        for (const auto &[hf, gg, nHead] :
             std::vector<std::tuple<std::string, std::string, int64_t>>{
                 {"model.layers.1.self_attn.q_proj.weight", "blk.1.attn_q.weight", 2},
                 {"model.layers.1.self_attn.k_proj.weight", "blk.1.attn_k.weight", 1}}) {
            const torch::Tensor t = w.loadFloat32(hf);
            const auto &ref = m.data.at(gg);
            const int64_t rows = t.size(0), cols = t.size(1), hd = rows / nHead, half = hd / 2;
            for (int64_t h = 0; h < nHead; ++h)
                for (int64_t tt = 0; tt < 2; ++tt)
                    for (int64_t d = 0; d < half; ++d)
                        for (int64_t col = 0; col < cols; ++col) {
                            const int64_t hfRow = h * hd + tt * half + d;
                            const int64_t stRow = h * hd + 2 * d + tt;
                            QCOMPARE(t[hfRow][col].item<float>(), ref[stRow * cols + col]);
                        }
        }

        QVERIFY(model.tokenizer.has_value());
        const ft::TokenizerSpec &tok = *model.tokenizer;
        QCOMPARE(tok.model, ft::TokenizerSpec::Model::ByteLevelBpe);
        QCOMPARE(tok.preTokenizer, std::string("llama3"));
        QCOMPARE(tok.tokens, (std::vector<std::string>{"<s>", "</s>", "a", "b", "ab", "Ġab"}));
        QCOMPARE(tok.tokenTypes, (std::vector<int32_t>{3, 3, 1, 1, 1, 1}));
        QCOMPARE(tok.merges, (std::vector<std::string>{"a b", "Ġ ab"}));
        QCOMPARE(tok.bosId.value(), 0);
        QCOMPARE(tok.eosId.value(), 1);
        QVERIFY(!tok.unkId);
        QVERIFY(tok.addBos);
        QVERIFY(!tok.addEos);
        QCOMPARE(tok.chatTemplate, std::string("{{ messages }}"));
    }

    void qwen2NotPermuted()
    {
        const Model m = tinyLlama("qwen2", 1, false);
        ft::GgufModel model = ft::openGgufModel(writeFile("qwen.gguf", m.bytes));
        QCOMPARE(model.hfConfig["model_type"].get<std::string>(), std::string("qwen2"));
        QVERIFY(!model.tokenizer);
        const torch::Tensor q =
            model.weights->loadFloat32("model.layers.0.self_attn.q_proj.weight");
        const auto &ref = m.data.at("blk.0.attn_q.weight");
        QVERIFY(std::memcmp(q.data_ptr<float>(), ref.data(), ref.size() * 4) == 0);
        const torch::Tensor kb = model.weights->loadFloat32("model.layers.0.self_attn.k_proj.bias");
        const auto &kref = m.data.at("blk.0.attn_k.bias");
        QCOMPARE(kb.numel(), int64_t(4));
        QVERIFY(std::memcmp(kb.data_ptr<float>(), kref.data(), kref.size() * 4) == 0);
        QVERIFY(!model.hfConfig.contains("attention_bias"));
    }

    void unsupportedArchitecture()
    {
        const Model m = tinyLlama("gpt2");
        const std::string path = writeFile("gpt2.gguf", m.bytes);
        expectBadInput(
            path, [&] { ft::openGgufModel(path); },
            "unsupported GGUF architecture gpt2 (supported: llama");
    }

    void unsupportedQuantType()
    {
        // A Q4_K (256-element blocks of 144 bytes) tensor parses (its size is known) but does not
        // dequantise.
        GgufBytes g;
        g.header(1, 1).kvStr("general.architecture", "llama");
        g.tensor("blk.0.attn_q.weight", {256, 1}, ft::ggml::Q4_K, 0).align();
        g.bytes.append(144, '\x11');
        const std::string path = writeFile("q4k.gguf", g.bytes);
        ft::GgufFile f(path);
        QCOMPARE(f.tensors().at(0).sizeBytes, uint64_t(144));
        float out[256];
        expectBadInput(
            path,
            [&] {
                ft::dequantizeRow(ft::ggml::Q4_K, f.tensorData(f.tensors()[0]), 256, out,
                                  f.describe("tensor blk.0.attn_q.weight"));
            },
            "Q4_K");
        try {
            ft::dequantizeRow(ft::ggml::Q5_0, nullptr, 32, out, "x");
            QFAIL("no error");
        } catch (const ft::Error &e) {
            QVERIFY(QString(e.what()).contains("supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1"));
        }

        // Through the model: a whole llama whose q_proj is Q5_0 loads lazily and fails on it.
        Model m = tinyLlama();
        // Replace the type of blk.0.attn_q.weight (8 x 8 F32 = 256 bytes) by Q5_0 (8 x 8 -> 2
        // blocks of 22 bytes per... row length 8 is not a multiple of 32) -> refused at parse.
        const std::string name = "blk.0.attn_q.weight";
        const size_t at = m.bytes.find(name) + name.size() + 4 + 16;
        uint32_t q50 = ft::ggml::Q5_0;
        std::memcpy(&m.bytes[at], &q50, 4);
        const std::string path2 = writeFile("q50.gguf", m.bytes);
        expectBadInput(
            path2, [&] { ft::openGgufModel(path2); }, "block size");
    }

    void unsupportedQuantThroughModel()
    {
        // Hidden 32 so that a Q4_K... needs 256; use Q5_0 (block 32) on a 32-wide model instead.
        GgufBytes g;
        const uint32_t hidden = 32, ffn = 32, heads = 2, vocab = 4;
        g.header(11, 6);
        g.kvStr("general.architecture", "llama").kvU32("llama.block_count", 1);
        g.kvU32("llama.embedding_length", hidden).kvU32("llama.feed_forward_length", ffn);
        g.kvU32("llama.attention.head_count", heads).kvU32("llama.context_length", 64);
        struct T
        {
            const char *name;
            std::vector<uint64_t> ne;
            uint32_t type;
        };
        const std::vector<T> ts = {{"token_embd.weight", {hidden, vocab}, 0},
                                   {"output_norm.weight", {hidden}, 0},
                                   {"blk.0.attn_norm.weight", {hidden}, 0},
                                   {"blk.0.attn_q.weight", {hidden, hidden}, ft::ggml::Q5_0},
                                   {"blk.0.attn_k.weight", {hidden, hidden}, 0},
                                   {"blk.0.attn_v.weight", {hidden, hidden}, 0},
                                   {"blk.0.attn_output.weight", {hidden, hidden}, 0},
                                   {"blk.0.ffn_norm.weight", {hidden}, 0},
                                   {"blk.0.ffn_gate.weight", {hidden, ffn}, 0},
                                   {"blk.0.ffn_up.weight", {hidden, ffn}, 0},
                                   {"blk.0.ffn_down.weight", {ffn, hidden}, 0}};
        uint64_t off = 0;
        for (const T &t : ts) {
            g.tensor(t.name, t.ne, t.type, off);
            uint64_t numel = 1;
            for (uint64_t n : t.ne)
                numel *= n;
            off += t.type == 0 ? numel * 4 : numel / 32 * 22;
            off += (32 - off % 32) % 32;
        }
        g.align();
        g.bytes.append(off, '\0');
        const std::string path = writeFile("q50model.gguf", g.bytes);
        ft::GgufModel model = ft::openGgufModel(path);
        QCOMPARE(model.weights->dtypeName("model.layers.0.self_attn.q_proj.weight"),
                 std::string("Q5_0"));
        QCOMPARE(model.weights->loadFloat32("model.layers.0.self_attn.k_proj.weight").size(0),
                 int64_t(32));
        QCOMPARE(model.fileType, std::string("mixed"));
        expectBadInput(
            path, [&] { model.weights->loadFloat32("model.layers.0.self_attn.q_proj.weight"); },
            "blk.0.attn_q.weight");
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("needle");
        auto qb = [](const std::string &s) {
            return QByteArray(s.data(), static_cast<int>(s.size()));
        };
        QTest::newRow("empty") << QByteArray() << "";
        QTest::newRow("bad magic") << qb(std::string("GGML") + std::string(40, '\0')) << "magic";
        QTest::newRow("version 1") << qb(GgufBytes().header(0, 0, 1).bytes) << "version 1";
        QTest::newRow("version 7") << qb(GgufBytes().header(0, 0, 7).bytes) << "version 7";
        QTest::newRow("header only half")
            << qb(GgufBytes().header(0, 0).bytes.substr(0, 12)) << "truncated";
        QTest::newRow("absurd tensor count")
            << qb(GgufBytes().header(~0ull / 2, 0).bytes) << "tensor count";
        QTest::newRow("absurd kv count")
            << qb(GgufBytes().header(0, 1ull << 60).bytes) << "metadata count";
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(1ull << 40);
            QTest::newRow("absurd array count") << qb(g.bytes) << "claims";
        }
        {
            // 40M one-byte elements fit the file but not the metadata element budget
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(0).put<uint64_t>(40000000);
            g.bytes.append(40000000, '\1');
            QTest::newRow("too many array elements") << qb(g.bytes) << "elements in total";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(8).put<uint64_t>(1ull << 62);
            g.bytes += "abc";
            QTest::newRow("string past EOF") << qb(g.bytes) << "string length";
        }
        {
            GgufBytes g;
            g.header(0, 1).put<uint64_t>(~0ull);
            g.bytes += std::string(16, 'x');
            QTest::newRow("key length past EOF") << qb(g.bytes) << "string length";
        }
        {
            GgufBytes g;
            g.header(0, 2).kvStr("k", "a").kvStr("k", "b");
            QTest::newRow("duplicate key") << qb(g.bytes) << "duplicate";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(13).put<uint32_t>(0);
            QTest::newRow("unknown value type") << qb(g.bytes) << "value type 13";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(9).put<uint64_t>(1);
            g.put<uint32_t>(4).put<uint64_t>(0);
            QTest::newRow("nested array") << qb(g.bytes) << "nested";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {32, 32}, 0, 0).align();
            g.bytes.append(100, '\0'); // needs 4096 bytes
            QTest::newRow("tensor beyond EOF") << qb(g.bytes) << "beyond the end";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {4}, 0, 1ull << 40).align();
            g.bytes.append(64, '\0');
            QTest::newRow("tensor offset beyond EOF") << qb(g.bytes) << "beyond the end";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {1ull << 62, 1ull << 62}, 0, 0).align();
            QTest::newRow("dims overflow") << qb(g.bytes) << "absurd";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {4}, 77, 0).align();
            g.bytes.append(64, '\0');
            QTest::newRow("unknown ggml type") << qb(g.bytes) << "unknown ggml type 77";
        }
        {
            GgufBytes g;
            g.header(1, 0).tensor("w", {4}, 0, 3).align();
            g.bytes.append(64, '\0');
            QTest::newRow("misaligned offset") << qb(g.bytes) << "alignment";
        }
        {
            GgufBytes g;
            g.header(1, 0).str("w").put<uint32_t>(5);
            g.bytes.append(64, '\0');
            QTest::newRow("too many dims") << qb(g.bytes) << "dimensions";
        }
        {
            GgufBytes g;
            g.header(0, 1).str("general.alignment").put<uint32_t>(4).put<uint32_t>(24);
            QTest::newRow("alignment not power of two") << qb(g.bytes) << "power of two";
        }
    }
    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, needle);
        const std::string path = writeFile("bad.gguf", bytes.toStdString());
        expectBadInput(
            path, [&] { ft::GgufFile f(path); }, needle);
        expectBadInput(
            path, [&] { ft::openGgufModel(path); }, needle);
    }

    void missingFile()
    {
        const std::string path = m_dir.filePath("nope.gguf").toStdString();
        expectBadInput(path, [&] { ft::openGgufModel(path); });
    }

    void modelMetadataErrors()
    {
        // The tokenizer's ids must exist; the tensors must match the metadata.
        Model m = tinyLlama();
        std::string bytes = m.bytes;
        const std::string key = "tokenizer.ggml.eos_token_id";
        const size_t at = bytes.find(key) + key.size() + 4;
        uint32_t bad = 6;
        std::memcpy(&bytes[at], &bad, 4);
        const std::string path = writeFile("badeos.gguf", bytes);
        expectBadInput(
            path, [&] { ft::openGgufModel(path); }, "eos_token_id");

        bytes = m.bytes;
        const std::string ffnKey = "llama.feed_forward_length";
        uint32_t ffn = 12;
        std::memcpy(&bytes[bytes.find(ffnKey) + ffnKey.size() + 4], &ffn, 4);
        const std::string path2 = writeFile("badffn.gguf", bytes);
        expectBadInput(
            path2, [&] { ft::openGgufModel(path2); }, "shape");

        bytes = m.bytes;
        const std::string blocks = "llama.block_count";
        uint32_t layers = 2;
        std::memcpy(&bytes[bytes.find(blocks) + blocks.size() + 4], &layers, 4);
        const std::string path3 = writeFile("badlayers.gguf", bytes);
        expectBadInput(
            path3, [&] { ft::openGgufModel(path3); }, "missing tensor blk.1.");
    }

    // Every prefix of a valid file is a truncated file: each must give BadInput, never crash.
    void everyTruncation()
    {
        const Model m = tinyLlama();
        for (size_t len = 0; len < m.bytes.size(); len += (len < 1200 ? 1 : 97)) {
            const std::string path = writeFile("trunc.gguf", m.bytes.substr(0, len));
            try {
                ft::openGgufModel(path);
                QFAIL(qPrintable(QString("prefix of %1 bytes was accepted").arg(len)));
            } catch (const ft::Error &e) {
                QCOMPARE(e.kind(), ErrorKind::BadInput);
                QVERIFY(QString(e.what()).contains(QString::fromStdString(path)));
            }
        }
    }

    // Random byte corruption of the header/metadata region: parse or BadInput, never a crash or
    // another exception type.
    void corruptedBytes()
    {
        const Model m = tinyLlama();
        ft::GgufFile good(writeFile("good.gguf", m.bytes));
        const size_t headerBytes = good.dataOffset();
        std::mt19937 rng(1234);
        for (int iter = 0; iter < 400; ++iter) {
            std::string bytes = m.bytes;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k)
                bytes[rng() % headerBytes] = static_cast<char>(rng() & 0xFF);
            const std::string path = writeFile("fuzz.gguf", bytes);
            try {
                ft::GgufModel model = ft::openGgufModel(path);
                for (const std::string &n : model.weights->tensorNames())
                    model.weights->loadFloat32(n);
            } catch (const ft::Error &e) {
                QCOMPARE(e.kind(), ErrorKind::BadInput);
            }
        }
    }

    void safetensorsWriter()
    {
        const std::string path = m_dir.filePath("w.safetensors").toStdString();
        const torch::Tensor a = torch::arange(6, torch::kFloat32).reshape({2, 3});
        const torch::Tensor b = torch::tensor({1.5, -2.0}, torch::kFloat16);
        ft::writeSafetensors(path, {{"a", a}, {"b.x", b}}, {{"format", "pt"}});
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        uint64_t n;
        std::memcpy(&n, bytes.data(), 8);
        QCOMPARE(n % 8, uint64_t(0));
        QCOMPARE(bytes.size(), size_t(8 + n + 24 + 4));
        const json h = json::parse(bytes.substr(8, n));
        QCOMPARE(h["__metadata__"]["format"].get<std::string>(), std::string("pt"));
        QCOMPARE(h["a"]["dtype"].get<std::string>(), std::string("F32"));
        FT_JSON_EQ(h["a"]["shape"], json({2, 3}));
        FT_JSON_EQ(h["a"]["data_offsets"], json({0, 24}));
        QCOMPARE(h["b.x"]["dtype"].get<std::string>(), std::string("F16"));
        FT_JSON_EQ(h["b.x"]["data_offsets"], json({24, 28}));
        float f[6];
        std::memcpy(f, bytes.data() + 8 + n, 24);
        QCOMPARE(f[5], 5.0f);
        uint16_t hv[2];
        std::memcpy(hv, bytes.data() + 8 + n + 24, 4);
        QCOMPARE(hv[0], exactHalf(1.5f));
        QCOMPARE(hv[1], exactHalf(-2.0f));
        // no temporary left behind
        int files = 0;
        for (const auto &e : std::filesystem::directory_iterator(m_dir.path().toStdString()))
            files += e.path().filename().string().find("w.safetensors") != std::string::npos;
        QCOMPARE(files, 1);
    }

    void convertToFolder()
    {
        const Model m = tinyLlama("llama", 1);
        const std::string gguf = writeFile("conv.gguf", m.bytes);
        const std::filesystem::path out = m_dir.filePath("hf/out").toStdString();
        ft::convertGgufToHuggingFace(gguf, out);
        for (const char *f : {"config.json", "generation_config.json", "model.safetensors",
                              "tokenizer.json", "tokenizer_config.json"})
            QVERIFY2(std::filesystem::exists(out / f), f);
        std::ifstream cfgIn(out / "config.json");
        const json cfg = json::parse(cfgIn);
        QCOMPARE(cfg["num_key_value_heads"].get<int>(), 1);
        std::ifstream tokIn(out / "tokenizer.json");
        const json tok = json::parse(tokIn);
        QCOMPARE(tok["model"]["vocab"]["Ġab"].get<int>(), 5);
        FT_JSON_EQ(tok["model"]["merges"], json::array({"a b", "Ġ ab"}));
        QCOMPARE(tok["added_tokens"].size(), size_t(2));
        QCOMPARE(tok["post_processor"]["type"].get<std::string>(),
                 std::string("TemplateProcessing"));
        std::ifstream tcIn(out / "tokenizer_config.json");
        const json tc = json::parse(tcIn);
        QCOMPARE(tc["bos_token"].get<std::string>(), std::string("<s>"));
        QCOMPARE(tc["chat_template"].get<std::string>(), std::string("{{ messages }}"));
        // no sibling temporary left, and a second conversion into the same folder is refused
        int entries = 0;
        for (const auto &e : std::filesystem::directory_iterator(out.parent_path())) {
            (void)e;
            ++entries;
        }
        QCOMPARE(entries, 1);
        expectBadInput(
            out.string(), [&] { ft::convertGgufToHuggingFace(gguf, out); }, "not empty");
        // an existing empty folder is fine
        const std::filesystem::path empty = m_dir.filePath("emptyout").toStdString();
        std::filesystem::create_directories(empty);
        ft::convertGgufToHuggingFace(gguf, empty);
        QVERIFY(std::filesystem::exists(empty / "model.safetensors"));
        // a bad GGUF leaves nothing behind
        const std::string bad = writeFile("conv-bad.gguf", m.bytes.substr(0, 300));
        const std::filesystem::path out2 = m_dir.filePath("hf/out2").toStdString();
        expectBadInput(bad, [&] { ft::convertGgufToHuggingFace(bad, out2); });
        QVERIFY(!std::filesystem::exists(out2));
        entries = 0;
        for (const auto &e : std::filesystem::directory_iterator(out.parent_path())) {
            (void)e;
            ++entries;
        }
        QCOMPARE(entries, 1);
    }
};

QTEST_APPLESS_MAIN(TestGguf)
#include "tst_gguf.moc"
