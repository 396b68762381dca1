#include "model/ia3model.h"

#include "ft/jsonparse.h"
#include "ft/error.h"
#include "io/safetensorsfile.h"

#include <torch/torch.h>

#include <fstream>
#include <set>

namespace ft {

namespace fs = std::filesystem;

namespace {

const std::string kPrefix = "base_model.model.";

nlohmann::json readAdapterConfig(const fs::path &folder)
{
    const fs::path configPath = folder / "adapter_config.json";
    if (!fs::exists(configPath))
        throwBadInput(folder.string() + ": no adapter_config.json (not a PEFT adapter folder)");
    return readJsonFileBounded(configPath);
}

} // namespace

void Ia3Model::collectTargets(const ModelConfig &config, DecoderWeights &weights, bool requireFree)
{
    m_ia3.applyDefaults(config);
    m_fanInFanOut = config.family == ArchitectureFamily::Gpt2;
    auto consider = [&](Target t, bool occupied) {
        if (!m_ia3.isTarget(t.module))
            return;
        if (requireFree && (*t.slot || occupied))
            throwBadInput("an adapter is already attached to " + t.module);
        t.feedforward = m_ia3.isFeedforward(t.module);
        m_targets.push_back(std::move(t));
    };
    for (int i = 0; i < int(weights.layers.size()); ++i) {
        LayerWeights &l = weights.layers[i];
        if (config.family == ArchitectureFamily::Gpt2) {
            const std::string p = "transformer.h." + std::to_string(i) + ".";
            auto conv = [&](const std::string &name, torch::Tensor &w, torch::Tensor &b,
                            std::shared_ptr<Ia3Vector> &slot, bool lora) {
                Target t;
                t.module = p + name;
                t.in = w.size(0);
                t.out = w.size(1);
                t.slot = &slot;
                t.conv1dWeight = &w;
                t.conv1dBias = &b;
                consider(std::move(t), lora);
            };
            conv("attn.c_attn", l.cAttn, l.cAttnBias, l.cAttnIa3, bool(l.cAttnLora));
            conv("attn.c_proj", l.cProj, l.cProjBias, l.cProjIa3, bool(l.cProjLora));
            conv("mlp.c_fc", l.fc, l.fcBias, l.fcIa3, bool(l.fcLora));
            conv("mlp.c_proj", l.mlpProj, l.mlpProjBias, l.mlpProjIa3, bool(l.mlpProjLora));
        } else {
            const std::string p = "model.layers." + std::to_string(i) + ".";
            auto proj = [&](const std::string &name, Projection &pr) {
                Target t;
                t.module = p + name;
                t.in = pr.weight.size(1);
                t.out = pr.weight.size(0);
                t.slot = &pr.ia3;
                t.projection = &pr;
                consider(std::move(t), bool(pr.lora));
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
        throwBadInput("IA3 target_modules match no module of this " + config.modelType +
                      " model (it has e.g. " +
                      (config.family == ArchitectureFamily::Gpt2
                           ? std::string("c_attn, attn.c_proj, c_fc, mlp.c_proj")
                           : std::string("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, "
                                         "down_proj")) + ")");
}

namespace {

std::vector<int64_t> vectorShape(const Ia3Model::Target &t)
{
    return t.feedforward ? std::vector<int64_t>{1, t.in} : std::vector<int64_t>{t.out, 1};
}

} // namespace

Ia3Model::Ia3Model(const ModelConfig &config, DecoderWeights &weights, Ia3Config ia3)
    : m_ia3(std::move(ia3))
{
    collectTargets(config, weights);
    torch::NoGradGuard noGrad;
    // On the base's device (the trainer moves the base to "cuda" before attaching).
    const auto options = torch::TensorOptions().device(weights.embed.device());
    for (Target &t : m_targets) {
        auto vector = std::make_shared<Ia3Vector>();
        // IA3Layer.update_layer: randn, then ones when init_ia3_weights.
        vector->l = m_ia3.initIa3Weights ? torch::ones(vectorShape(t), options)
                                         : torch::randn(vectorShape(t), options);
        vector->feedforward = t.feedforward;
        t.vector = vector;
        *t.slot = vector;
    }
}

std::vector<Ia3Model::Target> Ia3Model::selectTargets(const ModelConfig &config, const DecoderWeights &weights,
                                                      Ia3Config ia3)
{
    Ia3Model plan;
    plan.m_ia3 = std::move(ia3);
    // collectTargets takes the slots' addresses for attaching; here nothing is written through them.
    plan.collectTargets(config, const_cast<DecoderWeights &>(weights), /*requireFree=*/false);
    return plan.m_targets;
}

Ia3Model Ia3Model::load(const ModelConfig &config, DecoderWeights &weights, const fs::path &folder)
{
    const nlohmann::json json = readAdapterConfig(folder);
    const fs::path tensorsPath = folder / "adapter_model.safetensors";
    if (!fs::exists(tensorsPath))
        throwBadInput(folder.string() + ": no adapter_model.safetensors");
    Ia3Model model;
    model.m_ia3 = Ia3Config::fromJson(json, (folder / "adapter_config.json").string());
    model.collectTargets(config, weights);
    SafetensorsFile file(tensorsPath);
    std::set<std::string> unused;
    for (const auto &entry : file.entries())
        unused.insert(entry.first);
    for (Target &t : model.m_targets) {
        const std::string key = kPrefix + t.module + ".ia3_l";
        if (!file.has(key))
            throwBadInput(tensorsPath.string() + ": missing tensor '" + key + "'");
        if (file.entry(key).shape != vectorShape(t))
            throwBadInput(tensorsPath.string() + ": tensor '" + key + "' has the wrong shape for " +
                          std::string(t.feedforward ? "a feed-forward" : "an output-side") +
                          " target");
        unused.erase(key);
        auto vector = std::make_shared<Ia3Vector>();
        vector->l = file.loadFloat32(key).to(weights.embed.device());
        vector->feedforward = t.feedforward;
        t.vector = vector;
    }
    if (!unused.empty())
        throwBadInput(tensorsPath.string() + ": tensor '" + *unused.begin() +
                      "' belongs to no module the config targets (unsupported adapter layout)");
    for (Target &t : model.m_targets)
        *t.slot = t.vector;
    return model;
}

std::vector<std::pair<std::string, torch::Tensor>> Ia3Model::namedParameters() const
{
    std::vector<std::pair<std::string, torch::Tensor>> named;
    for (const Target &t : m_targets)
        named.emplace_back(kPrefix + t.module + ".ia3_l", t.vector->l);
    return named;
}

int64_t Ia3Model::trainableParameterCount() const
{
    int64_t count = 0;
    for (const Target &t : m_targets)
        count += t.vector->l.numel();
    return count;
}

void Ia3Model::setTraining(bool training)
{
    for (Target &t : m_targets)
        t.vector->l.set_requires_grad(training);
}

void Ia3Model::mergeAndUnload()
{
    // A compact frozen base (base_precision other than fp32) holds shape-only placeholders: adding
    // to them would silently do nothing. Export merges into a freshly loaded fp32 base instead.
    for (const Target &t : m_targets)
        if (t.projection && t.projection->weight.is_meta())
            throwBadInput(t.module + ": its base weight is held compact (base_precision); the adapter "
                          "can only be merged into an fp32 copy of the base (export does that)");
    torch::NoGradGuard noGrad;
    for (Target &t : m_targets) {
        // peft.tuners.ia3.layer.Linear.merge: W * transpose(ia3_l, fan_in_fan_out); the bias
        // of an output-side target times ia3_l.
        const torch::Tensor &l = t.vector->l;
        if (t.projection) {
            t.projection->weight.mul_(l);
            if (!t.feedforward && t.projection->bias.defined())
                t.projection->bias.mul_(l.flatten());
            t.projection->packed.reset();
        } else {
            t.conv1dWeight->mul_(l.t());
            if (!t.feedforward && t.conv1dBias->defined())
                t.conv1dBias->mul_(l.flatten());
        }
    }
    detach();
}

void Ia3Model::detach()
{
    for (Target &t : m_targets)
        if (t.slot && *t.slot == t.vector)
            t.slot->reset();
}

} // namespace ft
