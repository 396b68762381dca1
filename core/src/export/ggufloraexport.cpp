// A LoRA run's adapter as llama.cpp's LoRA GGUF (convert_lora_to_gguf.py): general.type
// "adapter", adapter.type "lora", adapter.lora.alpha, and per adapted weight
// blk.N.<tensor>.weight.lora_a (r x in) and .lora_b (out x r), lora_b's rows permuted for llama's
// Q/K as the base weight's are. llama.cpp scales by alpha / r, r taken from lora_a.
#include "ft/ggufexport.h"

#include "export/ggufquantize.h"
#include "export/runsource.h"
#include "export/ggufwriter.h"
#include "ft/error.h"
#include "ft/modelfiles.h"
#include "ft/trainer.h"
#include "io/ggufdequant.h"
#include "io/ggufmodel.h"
#include "io/safetensorsfile.h"
#include "model/loraconfig.h"
#include "model/modelconfig.h"
#include "model/peftadapter.h"
#include "tokenizer/jsonfile.h"

#include <torch/torch.h>

#include <map>

namespace ft {

namespace fs = std::filesystem;

namespace {

const std::map<std::string, std::string> kModuleNames = {
    {"self_attn.q_proj", "attn_q"}, {"self_attn.k_proj", "attn_k"},
    {"self_attn.v_proj", "attn_v"}, {"self_attn.o_proj", "attn_output"},
    {"mlp.gate_proj", "ffn_gate"},  {"mlp.up_proj", "ffn_up"},
    {"mlp.down_proj", "ffn_down"}};

torch::Tensor permuteRows(const torch::Tensor &w, int64_t nHead)
{
    return w.reshape({nHead, 2, w.size(0) / nHead / 2, w.size(1)})
        .transpose(1, 2)
        .reshape(w.sizes())
        .contiguous();
}

} // namespace

GgufExportSummary exportRunLoraGguf(const fs::path &runDir, const fs::path &outDir)
{
    return exportLoraGguf(runDir, runDir / "final", outDir);
}

GgufExportSummary exportLoraGguf(const fs::path &runDir, const fs::path &final,
                                 const fs::path &outDir)
{
    if (!fs::exists(final / "adapter_config.json"))
        throwBadInput(runDir.string() + ": no " + final.filename().string() +
                      "/adapter_config.json (not a finished adapter run)");
    const std::string peftType = peftTypeOf(final);
    if (peftType != "LORA")
        throwBadInput(runDir.string() + ": a " + peftType +
                      " adapter has no llama.cpp LoRA form; use --format gguf (merged)");
    const LoraConfig lora = LoraConfig::fromJson(tok::readJsonFile(final / "adapter_config.json"),
                                                 (final / "adapter_config.json").string());
    if (lora.useDora)
        throwBadInput(runDir.string() + ": a DoRA adapter has no llama.cpp LoRA form; use "
                                        "--format gguf (merged)");
    const TrainingConfig training = loadTrainingConfig(runDir / "training_config.json");
    const fs::path base = training.model;
    const nlohmann::json baseJson = fs::is_regular_file(base) && isGgufFile(base)
                                        ? openGgufModel(base).hfConfig
                                        : tok::readJsonFile(base / "config.json");
    const ModelConfig c = parseModelConfig(baseJson, base.string());
    if (c.family != ArchitectureFamily::Llama)
        throwBadInput(base.string() + ": llama.cpp LoRA export of architecture " + c.modelType +
                      " is not supported (supported: llama, mistral, qwen2)");
    const bool qwen2 = c.modelType == "qwen2";
    const std::string arch = qwen2 ? "qwen2" : "llama";

    const fs::path file = outDir / "adapter-lora-F32.gguf";
    if (fs::exists(file))
        throwBadInput(file.string() + " exists; refusing to overwrite it (choose a new folder)");
    auto st = std::make_shared<SafetensorsFile>(final / "adapter_model.safetensors");

    GgufWriter w;
    w.addString("general.architecture", arch);
    w.addString("general.type", "adapter");
    const fs::path absRun = fs::absolute(runDir).lexically_normal();
    w.addString("general.name",
                (absRun.filename().empty() ? absRun.parent_path() : absRun).filename().string());
    w.addString("adapter.type", "lora");
    // llama.cpp scales by alpha / r: rsLoRA's alpha / sqrt(r) becomes an equivalent alpha.
    w.addFloat32("adapter.lora.alpha", static_cast<float>(lora.scale() * lora.r));

    int64_t count = 0;
    const std::string prefix = "base_model.model.model.layers.";
    for (const auto &[name, entry] : st->entries()) {
        const bool isA =
            name.size() > 14 && name.compare(name.size() - 14, 14, ".lora_A.weight") == 0;
        const bool isB =
            name.size() > 14 && name.compare(name.size() - 14, 14, ".lora_B.weight") == 0;
        if (name.rfind(prefix, 0) != 0 || (!isA && !isB))
            throwBadInput(st->path().string() + ": tensor " + name +
                          " has no llama.cpp LoRA GGUF name (only decoder-layer linear maps do)");
        const std::string module = name.substr(prefix.size(), name.size() - prefix.size() - 14);
        const size_t dot = module.find('.');
        const std::string layer = module.substr(0, dot);
        const auto it = kModuleNames.find(dot == std::string::npos ? "" : module.substr(dot + 1));
        if (it == kModuleNames.end())
            throwBadInput(st->path().string() + ": tensor " + name +
                          " has no llama.cpp LoRA GGUF name");
        const std::string gguf =
            "blk." + layer + "." + it->second + ".weight" + (isA ? ".lora_a" : ".lora_b");
        int64_t heads = 0;
        if (isB && !qwen2 && it->second == "attn_q")
            heads = c.numHeads;
        else if (isB && !qwen2 && it->second == "attn_k")
            heads = c.numKvHeads;
        const std::vector<int64_t> &shape = entry.shape;
        if (shape.size() != 2)
            throwBadInput(st->path().string() + ": tensor " + name + " is not a matrix");
        const std::string key = name;
        w.addTensor(gguf, {shape[1], shape[0]}, ggml::F32, [st, key, heads] {
            torch::Tensor t = st->loadFloat32(key).contiguous();
            if (heads > 0)
                t = permuteRows(t, heads);
            std::vector<uint8_t> bytes;
            quantizeRows(ggml::F32, t.data_ptr<float>(), t.numel(), bytes);
            return bytes;
        });
        ++count;
    }
    if (count == 0)
        throwBadInput(st->path().string() + ": no LoRA tensors");
    fs::create_directories(outDir);
    w.write(file);
    GgufExportSummary summary;
    summary.file = file;
    summary.architecture = arch;
    summary.tensorCount = count;
    summary.sizeBytes = fs::file_size(file);
    return summary;
}

} // namespace ft
