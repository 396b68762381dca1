// describeModel: the parts of a loaded decoder, classified from the Hugging Face parameter names
// (the weight loader's canonical names; see model/decoderweights.cpp).
#include "ft/modelstructure.h"

#include "ft/error.h"
#include "ft/model.h"
#include "model/modelimpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <regex>

namespace ft {
namespace {

struct Place
{
    std::string kind;
    int block = -1;
};

// model.layers.N.self_attn.* / transformer.h.N.attn.* -> attention, *.mlp.* -> mlp, the block's
// other tensors (input_layernorm, post_attention_layernorm, ln_1, ln_2) -> norms.
Place placeOf(const std::string &name)
{
    static const std::regex block(R"(^(?:model\.layers|transformer\.h)\.(\d+)\.(.*)$)");
    std::smatch m;
    if (std::regex_match(name, m, block)) {
        const std::string rest = m[2].str();
        const int index = std::stoi(m[1].str());
        if (rest.rfind("self_attn.", 0) == 0 || rest.rfind("attn.", 0) == 0)
            return {"attention", index};
        if (rest.rfind("mlp.", 0) == 0)
            return {"mlp", index};
        return {"norms", index};
    }
    if (name.rfind("lm_head.", 0) == 0)
        return {"lm_head", -1};
    if (name == "model.norm.weight" || name.rfind("transformer.ln_f.", 0) == 0)
        return {"final_norm", -1};
    if (name.rfind("model.embed_tokens.", 0) == 0 || name.rfind("transformer.wte.", 0) == 0 ||
        name.rfind("transformer.wpe.", 0) == 0)
        return {"embeddings", -1};
    throw Error(ErrorKind::Internal, "describeModel: cannot place parameter '" + name + "'");
}

std::string partId(const Place &p)
{
    if (p.block >= 0)
        return "block." + std::to_string(p.block) + "." + p.kind;
    return p.kind == "embeddings" ? "embed" : p.kind;
}

} // namespace

ModelStructure describeModel(const Model &model)
{
    const Model::Impl &m = model.impl();
    ModelStructure s;
    s.architecture = m.config.architecture.empty() ? m.config.modelType : m.config.architecture;
    s.blockCount = m.config.numLayers;

    // The parts in bottom-to-top order; filled from the names.
    std::map<std::string, size_t> index;
    auto add = [&](const std::string &kind, int block) {
        ModelPart part;
        part.kind = kind;
        part.block = block;
        part.id = partId({kind, block});
        index[part.id] = s.parts.size();
        s.parts.push_back(std::move(part));
    };
    add("embeddings", -1);
    for (int b = 0; b < s.blockCount; ++b)
        for (const char *kind : {"attention", "mlp", "norms"})
            add(kind, b);
    add("final_norm", -1);
    add("lm_head", -1);

    for (const auto &[name, tensor] : m.weights.named) {
        const Place place = placeOf(name);
        auto it = index.find(partId(place));
        if (it == index.end())
            throw Error(ErrorKind::Internal, "describeModel: parameter '" + name + "' is outside the model's blocks");
        ModelPart &part = s.parts[it->second];
        part.parameterNames.push_back(name);
        part.parameterCount += tensor.numel();
        // The blocks' 2-D weights are their linear maps (nn.Linear or GPT-2's Conv1D): what LoRA
        // can target.
        const std::string suffix = ".weight";
        if (place.block >= 0 && tensor.dim() == 2 && name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            part.linearModules.push_back(name.substr(0, name.size() - suffix.size()));
        s.totalParameters += tensor.numel();
    }
    ModelPart &head = s.parts.back();
    if (head.parameterNames.empty()) {
        head.tied = true;
        const std::string embed = m.config.family == ArchitectureFamily::Gpt2
                                      ? "transformer.wte.weight"
                                      : "model.embed_tokens.weight";
        head.note = "tied to " + embed + " (trains with the embeddings)";
    }
    // Names in the model's module order rather than alphabetical: q, k, v, o / gate, up, down.
    auto rank = [](const std::string &name) {
        static const char *order[] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                                      "down_proj", "c_attn", "attn.c_proj", "c_fc", "mlp.c_proj",
                                      "input_layernorm", "post_attention_layernorm", "ln_1", "ln_2",
                                      "wte", "wpe"};
        for (size_t i = 0; i < std::size(order); ++i)
            if (name.find(order[i]) != std::string::npos)
                return int(i);
        return int(std::size(order));
    };
    for (ModelPart &part : s.parts) {
        auto byRank = [&](const std::string &a, const std::string &b) {
            return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
        };
        std::stable_sort(part.parameterNames.begin(), part.parameterNames.end(), byRank);
        std::stable_sort(part.linearModules.begin(), part.linearModules.end(), byRank);
    }
    return s;
}

nlohmann::json toJson(const ModelStructure &structure)
{
    nlohmann::json parts = nlohmann::json::array();
    for (const auto &p : structure.parts) {
        nlohmann::json j = {{"id", p.id},
                            {"kind", p.kind},
                            {"block", p.block},
                            {"parameter_count", p.parameterCount},
                            {"parameter_names", p.parameterNames},
                            {"linear_modules", p.linearModules},
                            {"tied", p.tied}};
        if (!p.note.empty())
            j["note"] = p.note;
        parts.push_back(std::move(j));
    }
    return {{"architecture", structure.architecture},
            {"block_count", structure.blockCount},
            {"total_parameters", structure.totalParameters},
            {"parts", parts}};
}

nlohmann::json toJson(const ModelStructure &structure, const TrainingPlan &plan)
{
    nlohmann::json j = toJson(structure);
    for (size_t i = 0; i < plan.parts.size() && i < j["parts"].size(); ++i) {
        const PartTraining &t = plan.parts[i];
        nlohmann::json &p = j["parts"][i];
        p["trainable"] = t.trainable;
        p["trainable_parameters"] = t.trainableParameters;
        p["trainable_names"] = t.trainableNames;
        p["lora_modules"] = t.loraModules;
        p["lora_parameters"] = t.loraParameters;
        p["adapter_modules"] = t.adapterModules;
        p["adapter_parameters"] = t.adapterParameters;
        p["stage"] = t.stage;
        if (!t.baseFormat.empty())
            p["base_format"] = t.baseFormat;
    }
    j["strategy"] = plan.strategy;
    j["trainable_parameters"] = plan.trainableParameters;
    j["stage_trainable_parameters"] = plan.stageTrainableParameters;
    return j;
}

} // namespace ft
