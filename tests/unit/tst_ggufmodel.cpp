// A GGUF file as a Hugging Face model (config, tensor names, q/k un-permutation, tokenizer spec),
// the safetensors writer and GGUF -> Hugging Face conversion.
#include "ggufbytes.h"

class TestGgufModel : public QObject, protected GgufScratch
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
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
        const Model m = tinyLlama("falcon");
        const std::string path = writeFile("falcon.gguf", m.bytes);
        expectBadInput(
            path, [&] { ft::openGgufModel(path); },
            "unsupported GGUF architecture falcon (supported: gpt2, llama, mistral, qwen2)");
    }
    void unsupportedQuantThroughModel()
    {
        // Q8_1 (block 32, 36 bytes) is a type the loader sizes but does not dequantise.
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
                                   {"blk.0.attn_q.weight", {hidden, hidden}, ft::ggml::Q8_1},
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
            off += t.type == 0 ? numel * 4 : numel / 32 * 36;
            off += (32 - off % 32) % 32;
        }
        g.align();
        g.bytes.append(off, '\0');
        const std::string path = writeFile("q81model.gguf", g.bytes);
        ft::GgufModel model = ft::openGgufModel(path);
        QCOMPARE(model.weights->dtypeName("model.layers.0.self_attn.q_proj.weight"),
                 std::string("Q8_1"));
        QCOMPARE(model.weights->loadFloat32("model.layers.0.self_attn.k_proj.weight").size(0),
                 int64_t(32));
        QCOMPARE(model.fileType, std::string("mixed"));
        expectBadInput(
            path, [&] { model.weights->loadFloat32("model.layers.0.self_attn.q_proj.weight"); },
            "blk.0.attn_q.weight");
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

QTEST_APPLESS_MAIN(TestGgufModel)
#include "tst_ggufmodel.moc"
