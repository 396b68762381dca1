#include "model/loramodel.h"

#include "ft/jsonparse.h"
#include "ft/error.h"
#include "io/safetensorsfile.h"
#include "model/frozenmatrix.h"

#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <set>

namespace ft {

namespace fs = std::filesystem;

namespace {

const std::string kPrefix = "base_model.model.";

} // namespace

void LoraModel::collectTargets(const ModelConfig &config, DecoderWeights &weights)
{
    if (!m_lora.targetRegex && m_lora.targetModules.empty())
        m_lora.targetModules = LoraConfig::defaultTargets(config);
    m_fanInFanOut = config.family == ArchitectureFamily::Gpt2;
    auto consider = [&](Target t, int layer) {
        if (m_lora.matches(t.module, layer, true))
            m_targets.push_back(std::move(t));
    };
    for (int i = 0; i < int(weights.layers.size()); ++i) {
        LayerWeights &l = weights.layers[i];
        if (config.family == ArchitectureFamily::Gpt2) {
            const std::string p = "transformer.h." + std::to_string(i) + ".";
            auto conv = [&](const std::string &name, torch::Tensor &w, torch::Tensor &bias,
                            std::shared_ptr<LoraAdapter> &slot) {
                Target t;
                t.module = p + name;
                t.in = w.size(0);
                t.out = w.size(1);
                t.fanInFanOut = true;
                t.slot = &slot;
                t.conv1dWeight = &w;
                t.conv1dBias = &bias;
                consider(std::move(t), i);
            };
            conv("attn.c_attn", l.cAttn, l.cAttnBias, l.cAttnLora);
            conv("attn.c_proj", l.cProj, l.cProjBias, l.cProjLora);
            conv("mlp.c_fc", l.fc, l.fcBias, l.fcLora);
            conv("mlp.c_proj", l.mlpProj, l.mlpProjBias, l.mlpProjLora);
        } else {
            const std::string p = "model.layers." + std::to_string(i) + ".";
            auto proj = [&](const std::string &name, Projection &pr) {
                Target t;
                t.module = p + name;
                t.in = pr.weight.size(1);
                t.out = pr.weight.size(0);
                t.slot = &pr.lora;
                t.projection = &pr;
                consider(std::move(t), i);
            };
            proj("self_attn.q_proj", l.q);
            proj("self_attn.k_proj", l.k);
            proj("self_attn.v_proj", l.v);
            proj("self_attn.o_proj", l.o);
            proj("mlp.gate_proj", l.gate);
            proj("mlp.up_proj", l.up);
            proj("mlp.down_proj", l.down);
        }
    }
    if (m_targets.empty())
        throwBadInput("LoRA target_modules match no module of this " + config.modelType +
                      " model (it has e.g. " +
                      (config.family == ArchitectureFamily::Gpt2
                           ? std::string("c_attn, c_proj, c_fc")
                           : std::string("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, "
                                         "down_proj")) + ")");
    for (const Target &t : m_targets)
        if (*t.slot)
            throwBadInput("a LoRA adapter is already attached to " + t.module);
}

void LoraModel::configure(Target &t, LoraAdapter &adapter) const
{
    // The adapter lives where its base weight does (the trainer's device).
    // (A compact base's weight is a meta placeholder; its values are where its storage is.)
    const torch::Tensor &base = t.projection ? t.projection->weight : *t.conv1dWeight;
    const torch::Device device = !base.is_meta()                             ? base.device()
                                 : t.projection && t.projection->compact ? t.projection->compact->device()
                                                                         : torch::Device(torch::kCPU);
    if (adapter.a.device() != device) {
        adapter.a = adapter.a.to(device);
        adapter.b = adapter.b.to(device);
    }
    adapter.scale = m_lora.scale();
    adapter.dropout = m_lora.dropout;
    adapter.fanInFanOut = t.fanInFanOut;
    adapter.baseWeight = t.projection ? &t.projection->weight : t.conv1dWeight;
    adapter.baseBias = t.projection ? &t.projection->bias : t.conv1dBias;
}

LoraModel::LoraModel(const ModelConfig &config, DecoderWeights &weights, LoraConfig lora)
    : m_lora(std::move(lora))
{
    if (m_lora.r <= 0)
        throwBadInput("LoRA r must be positive");
    if (m_lora.dropout < 0.0 || m_lora.dropout >= 1.0)
        throwBadInput("LoRA dropout must be in [0, 1)");
    collectTargets(config, weights);
    torch::NoGradGuard noGrad;
    // On the base's device (the trainer moves the base to "cuda" before attaching).
    const auto options = torch::TensorOptions().device(weights.embed.device());
    for (Target &t : m_targets) {
        auto adapter = std::make_shared<LoraAdapter>();
        adapter->a = torch::empty({m_lora.r, t.in}, options);
        // nn.init.kaiming_uniform_(A, a=math.sqrt(5)): U(-1/sqrt(in), 1/sqrt(in)).
        torch::nn::init::kaiming_uniform_(adapter->a, std::sqrt(5.0));
        adapter->b = torch::zeros({t.out, int64_t(m_lora.r)}, options);
        configure(t, *adapter);
        // peft's DoraLinearLayer.update_layer: the magnitude starts as ||W + scale * B @ A||
        // per output row (B = 0: the norm of W), so the output is unchanged.
        if (m_lora.useDora)
            adapter->magnitude = adapter->weightNorm();
        t.adapter = adapter;
        *t.slot = adapter;
    }
}

LoraModel LoraModel::load(const ModelConfig &config, DecoderWeights &weights,
                          const fs::path &folder)
{
    const fs::path configPath = folder / "adapter_config.json";
    const fs::path tensorsPath = folder / "adapter_model.safetensors";
    if (!fs::exists(configPath))
        throwBadInput(folder.string() + ": no adapter_config.json (not a PEFT adapter folder)");
    if (!fs::exists(tensorsPath))
        throwBadInput(folder.string() + ": no adapter_model.safetensors" +
                      (fs::exists(folder / "adapter_model.bin")
                           ? std::string(" (adapter_model.bin is a pickle and is not read; "
                                         "re-save it with safe_serialization=True)")
                           : std::string()));
    const nlohmann::json json = readJsonFileBounded(configPath);
    LoraModel model;
    model.m_lora = LoraConfig::fromJson(json, configPath.string());
    model.collectTargets(config, weights);
    SafetensorsFile file(tensorsPath);
    std::set<std::string> unused;
    for (const auto &entry : file.entries())
        unused.insert(entry.first);
    const int64_t r = model.m_lora.r;
    for (Target &t : model.m_targets) {
        auto adapter = std::make_shared<LoraAdapter>();
        auto take = [&](const std::string &name, std::vector<int64_t> shape) {
            const std::string key = kPrefix + t.module + "." + name;
            if (!file.has(key))
                throwBadInput(tensorsPath.string() + ": missing tensor '" + key + "'");
            if (file.entry(key).shape != shape)
                throwBadInput(tensorsPath.string() + ": tensor '" + key + "' has the wrong shape "
                              "for r = " + std::to_string(r) + " on " + t.module);
            unused.erase(key);
            return file.loadFloat32(key).to(weights.embed.device());
        };
        adapter->a = take("lora_A.weight", {r, t.in});
        adapter->b = take("lora_B.weight", {t.out, r});
        model.configure(t, *adapter);
        if (model.m_lora.useDora)
            adapter->magnitude = take("lora_magnitude_vector", {t.out}).to(adapter->a.device());
        t.adapter = adapter;
    }
    if (!unused.empty())
        throwBadInput(tensorsPath.string() + ": tensor '" + *unused.begin() +
                      "' belongs to no module the config targets (unsupported adapter layout)");
    for (Target &t : model.m_targets)
        *t.slot = t.adapter;
    return model;
}

std::vector<std::pair<std::string, torch::Tensor>> LoraModel::namedParameters() const
{
    std::vector<std::pair<std::string, torch::Tensor>> named;
    for (const Target &t : m_targets) {
        named.emplace_back(kPrefix + t.module + ".lora_A.weight", t.adapter->a);
        named.emplace_back(kPrefix + t.module + ".lora_B.weight", t.adapter->b);
        if (t.adapter->dora())
            named.emplace_back(kPrefix + t.module + ".lora_magnitude_vector", t.adapter->magnitude);
    }
    return named;
}

int64_t LoraModel::trainableParameterCount() const
{
    int64_t count = 0;
    for (const Target &t : m_targets)
        count += t.adapter->a.numel() + t.adapter->b.numel() +
                 (t.adapter->dora() ? t.adapter->magnitude.numel() : 0);
    return count;
}

void LoraModel::setTraining(bool training)
{
    for (Target &t : m_targets) {
        t.adapter->training = training;
        t.adapter->a.set_requires_grad(training);
        t.adapter->b.set_requires_grad(training);
        if (t.adapter->dora())
            t.adapter->magnitude.set_requires_grad(training);
    }
}

void LoraModel::mergeAndUnload()
{
    // A compact frozen base (base_precision other than fp32) holds shape-only placeholders: adding
    // to them would silently do nothing. Export merges into a freshly loaded fp32 base instead.
    for (const Target &t : m_targets)
        if (t.projection && t.projection->weight.is_meta())
            throwBadInput(t.module + ": its base weight is held compact (base_precision); the adapter "
                          "can only be merged into an fp32 copy of the base (export does that)");
    torch::NoGradGuard noGrad;
    for (Target &t : m_targets) {
        // peft.tuners.lora.layer.Linear.get_delta_weight: transpose(B @ A, fan_in_fan_out) * s.
        torch::Tensor delta = torch::mm(t.adapter->b, t.adapter->a) * t.adapter->scale;
        if (t.adapter->dora()) {
            // peft DoraLinearVariant.merge_safe: (magnitude / ||W + delta||) * (W + delta), the
            // factor per output row (a row of W (out, in); a column of Conv1D's (in, out)).
            const torch::Tensor factor = t.adapter->magnitude / t.adapter->weightNorm();
            if (t.projection) {
                t.projection->weight.add_(delta).mul_(factor.view({-1, 1}));
                t.projection->packed.reset();
            } else {
                t.conv1dWeight->add_(delta.t()).mul_(factor.view({1, -1}));
            }
            continue;
        }
        if (t.projection) {
            t.projection->weight.add_(delta);
            t.projection->packed.reset();
        } else {
            t.conv1dWeight->add_(delta.t());
        }
    }
    detach();
}

void LoraModel::detach()
{
    for (Target &t : m_targets)
        if (t.slot && *t.slot == t.adapter)
            t.slot->reset();
}

} // namespace ft
