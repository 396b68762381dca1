#include "ft/ggufexport.h"

#include "export/ggufmix.h"
#include "export/ggufquantize.h"
#include "export/ggufvocab.h"
#include "export/ggufwriter.h"
#include "ft/error.h"
#include "ft/modelfiles.h"
#include "io/ggufdequant.h"
#include "io/gguffile.h"
#include "io/gguftokenizer.h"
#include "io/ggufmodel.h"
#include "io/safetensorsweights.h"
#include "model/modelconfig.h"
#include "tokenizer/jsonfile.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>

namespace ft {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct TypeRow
{
    GgufOutType type;
    const char *name;
    uint32_t ggmlType;
    uint32_t fileType; // general.file_type (llama.cpp's LlamaFileType)
};

const TypeRow kTypes[] = {
    {GgufOutType::F32, "F32", ggml::F32, 0},     {GgufOutType::F16, "F16", ggml::F16, 1},
    {GgufOutType::BF16, "BF16", ggml::BF16, 32}, {GgufOutType::Q8_0, "Q8_0", ggml::Q8_0, 7},
    {GgufOutType::Q4_0, "Q4_0", ggml::Q4_0, 2},  {GgufOutType::Q4_1, "Q4_1", ggml::Q4_1, 3},
    {GgufOutType::Q4_K_M, "Q4_K_M", ggml::Q4_K, 15}, {GgufOutType::Q6_K, "Q6_K", ggml::Q6_K, 18},
};

const TypeRow &rowOf(GgufOutType t)
{
    for (const TypeRow &r : kTypes)
        if (r.type == t)
            return r;
    return kTypes[0];
}

// convert_hf_to_gguf.py LlamaModel.permute: rows of each head reordered for llama.cpp's rope.
torch::Tensor permuteRows(const torch::Tensor &w, int64_t nHead)
{
    std::vector<int64_t> shape = {nHead, 2, w.size(0) / nHead / 2};
    for (int64_t d = 1; d < w.dim(); ++d)
        shape.push_back(w.size(d));
    return w.reshape(shape).transpose(1, 2).reshape(w.sizes()).contiguous();
}

struct Source
{
    json hfConfig;
    std::unique_ptr<WeightSource> weights;
    std::optional<TokenizerSpec> tokenizer;
    std::string defaultName;
};

Source openSource(const fs::path &model)
{
    Source s;
    if (fs::is_regular_file(model) && isGgufFile(model)) {
        GgufModel g = openGgufModel(model);
        s.hfConfig = std::move(g.hfConfig);
        s.weights = std::move(g.weights);
        s.tokenizer = std::move(g.tokenizer);
        s.defaultName = model.stem().string();
        return s;
    }
    if (!fs::is_directory(model))
        throwBadInput(model.string() + ": neither a Hugging Face model folder nor a .gguf file");
    if (!fs::exists(model / "config.json"))
        throwBadInput(model.string() + ": no config.json (not a Hugging Face model folder)");
    s.hfConfig = tok::readJsonFile(model / "config.json");
    s.weights = std::make_unique<SafetensorsWeights>(model);
    const fs::path abs = fs::absolute(model).lexically_normal();
    s.defaultName = (abs.filename().empty() ? abs.parent_path() : abs).filename().string();
    return s;
}

// HF name -> GGUF name for the llama family (convert_hf_to_gguf.py's tensor map).
const std::pair<const char *, const char *> kLayerNames[] = {
    {"input_layernorm.weight", "attn_norm.weight"},
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"self_attn.o_proj.bias", "attn_output.bias"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};

} // namespace

GgufOutType parseGgufOutType(const std::string &name)
{
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (const TypeRow &r : kTypes)
        if (upper == r.name)
            return r.type;
    throwBadInput("--type: '" + name +
                  "' is not a GGUF type this engine writes (F32, F16, BF16, "
                  "Q8_0, Q6_K, Q4_K_M, Q4_0, Q4_1)");
}

std::string ggufOutTypeName(GgufOutType type)
{
    return rowOf(type).name;
}

GgufExportSummary exportGguf(const fs::path &model, const fs::path &outFile,
                             const GgufExportOptions &options)
{
    if (fs::exists(outFile))
        throwBadInput(outFile.string() + " exists; refusing to overwrite it (choose a new name)");
    Source src = openSource(model);
    const ModelConfig c = parseModelConfig(src.hfConfig, model.string());
    if (c.family != ArchitectureFamily::Llama)
        throwBadInput(model.string() + ": GGUF export of architecture " + c.modelType +
                      " is not supported (supported: llama, mistral, qwen2)");
    if (c.ropeScaling.type == "llama3")
        throwBadInput(model.string() + ": rope_scaling llama3 needs llama.cpp's rope_freqs "
                                       "tensor, which this writer does not produce yet");
    if (c.mlpBias)
        throwBadInput(model.string() + ": MLP biases (mlp_bias) have no GGUF tensor in llama.cpp");
    const bool qwen2 = c.modelType == "qwen2";
    const std::string arch = qwen2 ? "qwen2" : "llama"; // llama.cpp writes Mistral as llama
    const bool permute = !qwen2;
    if (!src.tokenizer && !options.tokenizerFrom.empty())
        src.tokenizer = readGgufTokenizer(GgufFile(options.tokenizerFrom));
    if (!src.tokenizer && fs::is_directory(model))
        src.tokenizer = tokenizerSpecForGguf(model, c.vocabSize);

    const TypeRow &type = rowOf(options.type);
    GgufWriter w;
    const std::string p = arch + ".";
    w.addString("general.architecture", arch);
    w.addString("general.type", "model");
    w.addString("general.name", options.name.empty() ? src.defaultName : options.name);
    w.addUint32("general.quantization_version", 2); // GGML_QNT_VERSION
    w.addUint32("general.file_type", type.fileType);
    w.addUint32(p + "vocab_size", static_cast<uint32_t>(c.vocabSize));
    w.addUint32(p + "context_length", static_cast<uint32_t>(c.maxPositions));
    w.addUint32(p + "embedding_length", static_cast<uint32_t>(c.hiddenSize));
    w.addUint32(p + "block_count", static_cast<uint32_t>(c.numLayers));
    w.addUint32(p + "feed_forward_length", static_cast<uint32_t>(c.intermediateSize));
    w.addUint32(p + "attention.head_count", static_cast<uint32_t>(c.numHeads));
    w.addUint32(p + "attention.head_count_kv", static_cast<uint32_t>(c.numKvHeads));
    w.addFloat32(p + "rope.freq_base", static_cast<float>(c.ropeTheta));
    w.addFloat32(p + "attention.layer_norm_rms_epsilon", static_cast<float>(c.normEps));
    w.addUint32(p + "rope.dimension_count", static_cast<uint32_t>(c.headDim));
    if (c.headDim * c.numHeads != c.hiddenSize) {
        w.addUint32(p + "attention.key_length", static_cast<uint32_t>(c.headDim));
        w.addUint32(p + "attention.value_length", static_cast<uint32_t>(c.headDim));
    }
    if (c.ropeScaling.type == "linear") {
        w.addString(p + "rope.scaling.type", "linear");
        w.addFloat32(p + "rope.scaling.factor", static_cast<float>(c.ropeScaling.factor));
    }
    if (src.tokenizer)
        addTokenizerMetadata(w, *src.tokenizer);

    const WeightSource &weights = *src.weights;
    int64_t count = 0;
    auto add = [&](const std::string &hf, const std::string &gguf, int64_t heads, bool required) {
        if (!weights.has(hf)) {
            if (required)
                throwBadInput(weights.origin() + ": missing tensor " + hf);
            return;
        }
        const std::vector<int64_t> shape = weights.shape(hf);
        const std::vector<int64_t> ne(shape.rbegin(), shape.rend());
        const uint32_t ggmlType =
            ggufTensorType(options.type, gguf, shape, c.numLayers, c.tieEmbeddings);
        const WeightSource *ws = &weights;
        w.addTensor(gguf, ne, ggmlType, [ws, hf, heads, ggmlType] {
            torch::Tensor t = ws->loadFloat32(hf).contiguous();
            if (heads > 0)
                t = permuteRows(t, heads);
            std::vector<uint8_t> bytes;
            quantizeRows(ggmlType, t.data_ptr<float>(), t.numel(), bytes);
            return bytes;
        });
        ++count;
    };
    add("model.embed_tokens.weight", "token_embd.weight", 0, true);
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string h = "model.layers." + std::to_string(i) + ".";
        const std::string b = "blk." + std::to_string(i) + ".";
        for (const auto &[hfName, ggufName] : kLayerNames) {
            const std::string hfs = hfName;
            int64_t heads = 0;
            if (permute && hfs.rfind("self_attn.q_proj.", 0) == 0)
                heads = c.numHeads;
            else if (permute && hfs.rfind("self_attn.k_proj.", 0) == 0)
                heads = c.numKvHeads;
            add(h + hfs, b + ggufName, heads, hfs.find(".bias") == std::string::npos);
        }
    }
    add("model.norm.weight", "output_norm.weight", 0, true);
    if (!c.tieEmbeddings)
        add("lm_head.weight", "output.weight", 0, true);

    fs::create_directories(fs::absolute(outFile).parent_path());
    w.write(outFile);
    GgufExportSummary summary;
    summary.file = outFile;
    summary.architecture = arch;
    summary.tensorCount = count;
    summary.sizeBytes = fs::file_size(outFile);
    return summary;
}

} // namespace ft
