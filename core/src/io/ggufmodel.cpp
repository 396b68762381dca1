#include "io/ggufmodel.h"

#include "ft/error.h"
#include "io/ggufdequant.h"
#include "io/gguffile.h"
#include "io/gguftokenizer.h"
#include "model/quantizedmatrix.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace ft {

namespace {

using nlohmann::json;

struct Mapped
{
    const GgufTensorInfo *info = nullptr;
    int64_t permuteHeads = 0; // > 0: undo llama.cpp's rope row permutation with this head count
    bool transpose = false;   // GPT-2: HF keeps Conv1D weights as (in, out), GGUF as (out, in)
};

std::string shapeString(const std::vector<int64_t> &shape)
{
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// The inverse of llama.cpp convert_hf_to_gguf.py LlamaModel.permute:
//   w.reshape(n_head, 2, rows / n_head / 2, *rest).swapaxes(1, 2).reshape(w.shape)
// as transformers' LlamaTensorProcessor._reverse_permute_weights does.
torch::Tensor reversePermuteRows(const torch::Tensor &w, int64_t nHead)
{
    const int64_t rows = w.size(0);
    std::vector<int64_t> shape = {nHead, rows / nHead / 2, 2};
    for (int64_t d = 1; d < w.dim(); ++d)
        shape.push_back(w.size(d));
    return w.reshape(shape).transpose(1, 2).reshape(w.sizes()).contiguous();
}

class GgufWeightSource : public WeightSource
{
public:
    GgufWeightSource(std::shared_ptr<GgufFile> file, std::vector<std::string> names,
                     std::map<std::string, Mapped> map)
        : m_file(std::move(file)), m_names(std::move(names)), m_map(std::move(map))
    {
    }

    std::vector<std::string> tensorNames() const override { return m_names; }
    bool has(const std::string &name) const override { return m_map.count(name) != 0; }
    std::vector<int64_t> shape(const std::string &name) const override
    {
        const Mapped &m = find(name);
        std::vector<int64_t> s = m.info->torchShape();
        if (m.transpose)
            std::reverse(s.begin(), s.end());
        return s;
    }
    std::string dtypeName(const std::string &name) const override
    {
        return ggmlTypeName(find(name).info->type);
    }
    std::string origin() const override { return m_file->path().string(); }

    torch::Tensor loadFloat32(const std::string &name) const override
    {
        const Mapped &m = find(name);
        const GgufTensorInfo &info = *m.info;
        const std::string what = m_file->describe("tensor " + info.name + " (" + name + ")");
        if (!isDequantSupported(info.type))
            dequantizeRow(info.type, nullptr, 0, nullptr, what); // throws the BadInput
        const auto traits = *ggmlTypeTraits(info.type);
        const int64_t rowLen = info.ne[0];
        const int64_t rows = rowLen == 0 ? 0 : info.numel() / rowLen;
        const int64_t rowBytes = rowLen / traits.blockSize * traits.bytesPerBlock;
        torch::Tensor out = torch::empty({info.numel()}, torch::kFloat32);
        float *dst = out.data_ptr<float>();
        const uint8_t *src = m_file->tensorData(info);
        // Each row is independent; spread them over the intra-op threads.
        const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, rowLen));
        at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r)
                dequantizeRow(info.type, src + r * rowBytes, rowLen, dst + r * rowLen, what);
        });
        out = out.reshape(info.torchShape());
        if (m.permuteHeads > 0)
            out = reversePermuteRows(out, m.permuteHeads);
        if (m.transpose)
            out = out.t().contiguous();
        return out;
    }

    std::shared_ptr<const QuantizedMatrix> loadQuantized(const std::string &name) const override
    {
        const Mapped &m = find(name);
        const GgufTensorInfo &info = *m.info;
        if (!isGemvQuantType(info.type) || info.torchShape().size() != 2 || m.transpose)
            return nullptr;
        const auto traits = *ggmlTypeTraits(info.type);
        auto matrix = std::make_shared<QuantizedMatrix>();
        matrix->ggmlType = info.type;
        matrix->cols = info.ne[0];
        matrix->rows = info.numel() / matrix->cols;
        matrix->rowBytes = matrix->cols / traits.blockSize * traits.bytesPerBlock;
        matrix->data.resize(static_cast<size_t>(matrix->rows * matrix->rowBytes));
        const uint8_t *src = m_file->tensorData(info);
        // Rows move whole, so llama.cpp's rope permutation is undone on the block rows: the
        // stored row index of HF row r, per reversePermuteRows.
        const int64_t heads = m.permuteHeads;
        const int64_t half = heads > 0 ? matrix->rows / heads / 2 : 0;
        for (int64_t r = 0; r < matrix->rows; ++r) {
            int64_t stored = r;
            if (heads > 0) {
                const int64_t head = r / (2 * half), within = r % (2 * half);
                stored = head * 2 * half + (within % half) * 2 + within / half;
            }
            std::memcpy(matrix->data.data() + r * matrix->rowBytes, src + stored * matrix->rowBytes,
                        static_cast<size_t>(matrix->rowBytes));
        }
        return matrix;
    }

private:
    const Mapped &find(const std::string &name) const
    {
        auto it = m_map.find(name);
        if (it == m_map.end())
            throwBadInput(m_file->describe("no tensor named " + name));
        return it->second;
    }

    std::shared_ptr<GgufFile> m_file;
    std::vector<std::string> m_names;
    std::map<std::string, Mapped> m_map;
};

// A float32 metadata value as the shortest decimal that reads back as the same float
// (9.999999747378752e-06 -> 1e-05), which is what the original config.json held.
double shortestFloat32(double v)
{
    const float f = static_cast<float>(v);
    char buf[64];
    for (int digits = 1; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof(buf), "%.*g", digits, static_cast<double>(f));
        if (std::strtof(buf, nullptr) == f)
            return std::strtod(buf, nullptr);
    }
    return v;
}

std::string fileTypeName(uint64_t ftype)
{
    static const std::map<uint64_t, const char *> names = {
        {0, "F32"},      {1, "F16"},      {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},
        {8, "Q5_0"},     {9, "Q5_1"},     {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"},
        {13, "Q3_K_L"},  {14, "Q4_K_S"},  {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},
        {18, "Q6_K"},    {19, "IQ2_XXS"}, {20, "IQ2_XS"}, {21, "Q2_K_S"}, {22, "IQ3_XS"},
        {23, "IQ3_XXS"}, {24, "IQ1_S"},   {25, "IQ4_NL"}, {26, "IQ3_S"},  {27, "IQ3_M"},
        {28, "IQ2_S"},   {29, "IQ2_M"},   {30, "IQ4_XS"}, {31, "IQ1_M"},  {32, "BF16"},
        {36, "TQ1_0"},   {37, "TQ2_0"}};
    auto it = names.find(ftype);
    return it != names.end() ? it->second : "file type " + std::to_string(ftype);
}

struct ArchInfo
{
    const char *hfArchitecture;
    const char *modelType;
    bool permuteQK; // llama.cpp permutes Q/K rows for its rope layout (LLaMA, not Qwen2)
};

const std::map<std::string, ArchInfo> &supportedArchitectures()
{
    static const std::map<std::string, ArchInfo> archs = {
        {"gpt2", {"GPT2LMHeadModel", "gpt2", false}}, // openGpt2
        {"llama", {"LlamaForCausalLM", "llama", true}},
        // llama.cpp writes Mistral as "llama"; "mistral" appears in some files. Both are permuted.
        {"mistral", {"MistralForCausalLM", "mistral", true}},
        {"qwen2", {"Qwen2ForCausalLM", "qwen2", false}},
    };
    return archs;
}

// The parts every architecture shares: tokenizer, special ids in the config, file type, weights.
void finishModel(const std::shared_ptr<GgufFile> &file, GgufModel &model,
                 std::vector<std::string> names, std::map<std::string, Mapped> map, int64_t vocab)
{
    const GgufFile &f = *file;
    json &c = model.hfConfig;
    model.tokenizer = readGgufTokenizer(f);
    if (model.tokenizer) {
        const TokenizerSpec &t = *model.tokenizer;
        if (static_cast<int64_t>(t.tokens.size()) > vocab)
            throwBadInput(f.describe("the tokenizer has " + std::to_string(t.tokens.size()) +
                                     " tokens but token_embd.weight only " + std::to_string(vocab) +
                                     " rows"));
        c["bos_token_id"] = t.bosId ? json(*t.bosId) : json(nullptr);
        c["eos_token_id"] = t.eosId ? json(*t.eosId) : json(nullptr);
        if (t.padId)
            c["pad_token_id"] = *t.padId;
    }

    if (f.hasKey("general.file_type")) {
        model.fileType = fileTypeName(f.getUint("general.file_type"));
    } else {
        std::set<uint32_t> types;
        for (const auto &kv : map)
            if (kv.second.info->ne.size() >= 2)
                types.insert(kv.second.info->type);
        model.fileType = types.size() == 1 ? ggmlTypeName(*types.begin()) : "mixed";
    }
    model.weights = std::make_unique<GgufWeightSource>(file, std::move(names), std::move(map));
}

// GPT-2 as convert_hf_to_gguf.py GPT2Model writes it: Conv1D weights transposed, LayerNorms with
// biases, learned positions; output.weight optional (a copy of token_embd in older files).
GgufModel openGpt2(const std::shared_ptr<GgufFile> &file)
{
    const GgufFile &f = *file;
    auto positive = [&](const std::string &key) {
        const uint64_t v = f.getUint(key);
        if (v == 0 || v > (uint64_t(1) << 31))
            throwBadInput(f.describe(key + " = " + std::to_string(v) + " is out of range"));
        return static_cast<int64_t>(v);
    };
    const int64_t layers = positive("gpt2.block_count");
    const int64_t hidden = positive("gpt2.embedding_length");
    const int64_t heads = positive("gpt2.attention.head_count");
    const int64_t ffn = f.hasKey("gpt2.feed_forward_length")
                            ? positive("gpt2.feed_forward_length")
                            : 4 * hidden;
    const int64_t context = positive("gpt2.context_length");
    if (hidden % heads != 0)
        throwBadInput(f.describe("embedding_length is not a multiple of attention.head_count"));
    const GgufTensorInfo *embd = f.findTensor("token_embd.weight");
    if (!embd || embd->ne.size() != 2)
        throwBadInput(f.describe("missing tensor token_embd.weight (or not a matrix)"));
    const int64_t vocab = embd->ne[1];

    std::vector<std::string> names;
    std::map<std::string, Mapped> map;
    // `shape` is the HF (torch) shape; transposed tensors are stored the other way round.
    auto add = [&](const std::string &gguf, const std::string &hf, std::vector<int64_t> shape,
                   bool required, bool transpose = false) {
        const GgufTensorInfo *t = f.findTensor(gguf);
        if (!t) {
            if (required)
                throwBadInput(f.describe("missing tensor " + gguf));
            return false;
        }
        std::vector<int64_t> stored = shape;
        if (transpose)
            std::reverse(stored.begin(), stored.end());
        if (t->torchShape() != stored)
            throwBadInput(f.describe("tensor " + gguf + " has shape " +
                                     shapeString(t->torchShape()) + " but the metadata implies " +
                                     shapeString(stored)));
        names.push_back(hf);
        map[hf] = Mapped{t, 0, transpose};
        return true;
    };
    add("token_embd.weight", "transformer.wte.weight", {vocab, hidden}, true);
    add("position_embd.weight", "transformer.wpe.weight", {context, hidden}, true);
    for (int64_t i = 0; i < layers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        const std::string h = "transformer.h." + std::to_string(i) + ".";
        add(b + "attn_norm.weight", h + "ln_1.weight", {hidden}, true);
        add(b + "attn_norm.bias", h + "ln_1.bias", {hidden}, true);
        add(b + "attn_qkv.weight", h + "attn.c_attn.weight", {hidden, 3 * hidden}, true, true);
        add(b + "attn_qkv.bias", h + "attn.c_attn.bias", {3 * hidden}, true);
        add(b + "attn_output.weight", h + "attn.c_proj.weight", {hidden, hidden}, true, true);
        add(b + "attn_output.bias", h + "attn.c_proj.bias", {hidden}, true);
        add(b + "ffn_norm.weight", h + "ln_2.weight", {hidden}, true);
        add(b + "ffn_norm.bias", h + "ln_2.bias", {hidden}, true);
        add(b + "ffn_up.weight", h + "mlp.c_fc.weight", {hidden, ffn}, true, true);
        add(b + "ffn_up.bias", h + "mlp.c_fc.bias", {ffn}, true);
        add(b + "ffn_down.weight", h + "mlp.c_proj.weight", {ffn, hidden}, true, true);
        add(b + "ffn_down.bias", h + "mlp.c_proj.bias", {hidden}, true);
    }
    add("output_norm.weight", "transformer.ln_f.weight", {hidden}, true);
    add("output_norm.bias", "transformer.ln_f.bias", {hidden}, true);
    const bool tied = !add("output.weight", "lm_head.weight", {vocab, hidden}, false);

    GgufModel model;
    json &c = model.hfConfig;
    c["architectures"] = json::array({"GPT2LMHeadModel"});
    c["model_type"] = "gpt2";
    c["n_embd"] = hidden;
    c["n_layer"] = layers;
    c["n_head"] = heads;
    c["n_inner"] = ffn;
    c["n_positions"] = context;
    c["n_ctx"] = context;
    c["vocab_size"] = vocab;
    c["layer_norm_epsilon"] = f.hasKey("gpt2.attention.layer_norm_epsilon")
                                  ? shortestFloat32(f.getFloat("gpt2.attention.layer_norm_epsilon"))
                                  : 1e-5;
    c["activation_function"] = "gelu_new";
    c["tie_word_embeddings"] = tied;
    c["torch_dtype"] = "float32";
    finishModel(file, model, std::move(names), std::move(map), vocab);
    return model;
}

} // namespace

GgufModel openGgufModel(const std::filesystem::path &path)
{
    auto file = std::make_shared<GgufFile>(path);
    const GgufFile &f = *file;
    if (!f.hasKey("general.architecture"))
        throwBadInput(f.describe("missing general.architecture"));
    const std::string arch = f.getString("general.architecture");
    const auto archIt = supportedArchitectures().find(arch);
    if (archIt == supportedArchitectures().end()) {
        std::string names;
        for (const auto &kv : supportedArchitectures())
            names += (names.empty() ? "" : ", ") + kv.first;
        throwBadInput(f.describe("unsupported GGUF architecture " + arch + " (supported: " + names +
                                 ")"));
    }
    if (arch == "gpt2")
        return openGpt2(file);
    const ArchInfo &ai = archIt->second;
    const std::string p = arch + ".";
    auto positive = [&](const std::string &key) {
        const uint64_t v = f.getUint(key);
        if (v == 0 || v > (uint64_t(1) << 31))
            throwBadInput(f.describe(key + " = " + std::to_string(v) + " is out of range"));
        return static_cast<int64_t>(v);
    };

    const int64_t layers = positive(p + "block_count");
    const int64_t hidden = positive(p + "embedding_length");
    const int64_t ffn = positive(p + "feed_forward_length");
    const int64_t heads = positive(p + "attention.head_count");
    const int64_t kvHeads =
        f.hasKey(p + "attention.head_count_kv") ? positive(p + "attention.head_count_kv") : heads;
    if (heads % kvHeads != 0)
        throwBadInput(f.describe("attention.head_count " + std::to_string(heads) +
                                 " is not a multiple of attention.head_count_kv " +
                                 std::to_string(kvHeads)));
    int64_t headDim = hidden / heads;
    if (f.hasKey(p + "attention.key_length"))
        headDim = positive(p + "attention.key_length");
    else if (hidden % heads != 0)
        throwBadInput(f.describe("embedding_length is not a multiple of attention.head_count"));
    if (f.hasKey(p + "attention.value_length") && positive(p + "attention.value_length") != headDim)
        throwBadInput(f.describe("attention.value_length differs from key_length (unsupported)"));
    if (f.hasKey(p + "rope.dimension_count") && positive(p + "rope.dimension_count") != headDim)
        throwBadInput(f.describe("rope.dimension_count differs from the head size " +
                                 std::to_string(headDim) + " (partial rotary is unsupported)"));
    if (headDim % 2 != 0)
        throwBadInput(f.describe("head size " + std::to_string(headDim) + " is odd"));

    const GgufTensorInfo *embd = f.findTensor("token_embd.weight");
    if (!embd)
        throwBadInput(f.describe("missing tensor token_embd.weight"));
    if (embd->ne.size() != 2)
        throwBadInput(f.describe("token_embd.weight is not a matrix"));
    const int64_t vocab = embd->ne[1];

    std::vector<std::string> names;
    std::map<std::string, Mapped> map;
    auto add = [&](const std::string &gguf, const std::string &hf,
                   const std::vector<int64_t> &expected, bool required, int64_t permute = 0) {
        const GgufTensorInfo *t = f.findTensor(gguf);
        if (!t) {
            if (required)
                throwBadInput(f.describe("missing tensor " + gguf));
            return false;
        }
        if (t->torchShape() != expected)
            throwBadInput(f.describe("tensor " + gguf + " has shape " +
                                     shapeString(t->torchShape()) + " but the metadata implies " +
                                     shapeString(expected)));
        if (permute > 0 && expected[0] % (2 * permute) != 0)
            throwBadInput(f.describe("tensor " + gguf + " rows are not a multiple of 2 x heads"));
        names.push_back(hf);
        map[hf] = Mapped{t, permute};
        return true;
    };

    add("token_embd.weight", "model.embed_tokens.weight", {vocab, hidden}, true);
    bool attentionBias = false;
    for (int64_t i = 0; i < layers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        const std::string h = "model.layers." + std::to_string(i) + ".";
        add(b + "attn_norm.weight", h + "input_layernorm.weight", {hidden}, true);
        add(b + "attn_q.weight", h + "self_attn.q_proj.weight", {heads * headDim, hidden}, true,
            ai.permuteQK ? heads : 0);
        add(b + "attn_k.weight", h + "self_attn.k_proj.weight", {kvHeads * headDim, hidden}, true,
            ai.permuteQK ? kvHeads : 0);
        add(b + "attn_v.weight", h + "self_attn.v_proj.weight", {kvHeads * headDim, hidden}, true);
        add(b + "attn_output.weight", h + "self_attn.o_proj.weight", {hidden, heads * headDim},
            true);
        add(b + "ffn_norm.weight", h + "post_attention_layernorm.weight", {hidden}, true);
        add(b + "ffn_gate.weight", h + "mlp.gate_proj.weight", {ffn, hidden}, true);
        add(b + "ffn_up.weight", h + "mlp.up_proj.weight", {ffn, hidden}, true);
        add(b + "ffn_down.weight", h + "mlp.down_proj.weight", {hidden, ffn}, true);
        // Qwen2 has q/k/v biases (llama.cpp does not permute Qwen2, so no row permutation).
        const bool qb = add(b + "attn_q.bias", h + "self_attn.q_proj.bias", {heads * headDim},
                            false, ai.permuteQK ? heads : 0);
        const bool kb = add(b + "attn_k.bias", h + "self_attn.k_proj.bias", {kvHeads * headDim},
                            false, ai.permuteQK ? kvHeads : 0);
        const bool vb =
            add(b + "attn_v.bias", h + "self_attn.v_proj.bias", {kvHeads * headDim}, false);
        // LlamaConfig.attention_bias puts a bias on all four projections; Qwen2 on q/k/v only.
        const bool ob = add(b + "attn_output.bias", h + "self_attn.o_proj.bias", {hidden}, false);
        const bool obExpected = ai.permuteQK && qb;
        if (qb != kb || kb != vb || ob != obExpected || (i > 0 && qb != attentionBias))
            throwBadInput(f.describe("layer " + std::to_string(i) +
                                     " has an unsupported set of attention biases"));
        attentionBias = qb;
    }
    add("output_norm.weight", "model.norm.weight", {hidden}, true);
    const bool tied = !add("output.weight", "lm_head.weight", {vocab, hidden}, false);

    GgufModel model;
    json &c = model.hfConfig;
    c["architectures"] = json::array({ai.hfArchitecture});
    c["model_type"] = ai.modelType;
    c["hidden_size"] = hidden;
    c["intermediate_size"] = ffn;
    c["num_hidden_layers"] = layers;
    c["num_attention_heads"] = heads;
    c["num_key_value_heads"] = kvHeads;
    c["head_dim"] = headDim;
    c["hidden_act"] = "silu";
    c["rms_norm_eps"] = f.hasKey(p + "attention.layer_norm_rms_epsilon")
                            ? shortestFloat32(f.getFloat(p + "attention.layer_norm_rms_epsilon"))
                            : 1e-6;
    c["rope_theta"] = f.hasKey(p + "rope.freq_base")
                          ? shortestFloat32(f.getFloat(p + "rope.freq_base"))
                          : 10000.0;
    c["max_position_embeddings"] =
        f.hasKey(p + "context_length") ? positive(p + "context_length") : int64_t(2048);
    c["vocab_size"] = vocab;
    c["tie_word_embeddings"] = tied;
    if (std::string(ai.modelType) == "mistral") { // MistralConfig: no biases, no window here
        if (attentionBias)
            throwBadInput(f.describe("a mistral model has no attention biases"));
        c["sliding_window"] = nullptr;
    } else if (ai.permuteQK) { // LlamaConfig: attention_bias = biases on q, k, v and o
        c["attention_bias"] = attentionBias;
        c["mlp_bias"] = false;
    } else { // Qwen2Config: q/k/v biases always, none on o
        if (!attentionBias)
            throwBadInput(f.describe("a qwen2 model needs attn_q/attn_k/attn_v biases"));
        c["use_sliding_window"] = false;
    }
    c["initializer_range"] = 0.02;
    c["use_cache"] = true;
    c["torch_dtype"] = "float32";
    if (f.hasKey(p + "rope.scaling.type")) {
        const std::string type = f.getString(p + "rope.scaling.type");
        if (type == "linear" || type == "yarn") {
            json rs = {{"rope_type", type},
                       {"type", type},
                       {"factor", shortestFloat32(f.getFloat(p + "rope.scaling.factor"))}};
            if (f.hasKey(p + "rope.scaling.original_context_length"))
                rs["original_max_position_embeddings"] =
                    f.getUint(p + "rope.scaling.original_context_length");
            c["rope_scaling"] = rs;
        } else if (type != "none") {
            throwBadInput(f.describe("unsupported rope scaling type '" + type + "'"));
        }
    }

    finishModel(file, model, std::move(names), std::move(map), vocab);
    return model;
}

} // namespace ft
