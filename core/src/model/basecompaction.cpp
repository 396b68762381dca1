#include "model/basecompaction.h"

#include "ft/compactbase.h"
#include "ft/error.h"
#include "io/ggufdequant.h"
#include "model/frozenmatrix.h"
#include "model/modelimpl.h"

#include <torch/torch.h>

#include <set>
#include <utility>
#include <vector>

namespace ft {
namespace {

using Parts = std::vector<std::pair<Projection *, std::string>>;

// A tensor of `like`'s shape with no storage: what shape checks and parameter counts read.
torch::Tensor placeholder(const torch::Tensor &like)
{
    return torch::empty(like.sizes(), torch::TensorOptions().dtype(torch::kFloat32).device(torch::kMeta));
}

// The GGUF blocks of every part when they all came in the chosen format, else none.
std::vector<std::shared_ptr<const QuantizedMatrix>> reusableBlocks(const Parts &parts,
                                                                  BasePrecision precision)
{
    const uint32_t wanted = precision == BasePrecision::Q8_0   ? uint32_t(ggml::Q8_0)
                            : precision == BasePrecision::Q4_0 ? uint32_t(ggml::Q4_0)
                                                               : ~0u;
    std::vector<std::shared_ptr<const QuantizedMatrix>> blocks;
    for (const auto &[p, name] : parts) {
        if (!p->packed || p->packed->ggmlType != wanted)
            return {};
        blocks.push_back(p->packed);
    }
    return blocks;
}

// Compacts projections that share one stacked weight (or one projection alone, stacked = its
// weight) and points each at its rows.
void compactGroup(DecoderWeights &w, const Parts &parts, torch::Tensor &stacked,
                  std::shared_ptr<const FrozenMatrix> &compact, BasePrecision precision)
{
    const auto blocks = reusableBlocks(parts, precision);
    compact = blocks.empty() ? FrozenMatrix::quantize(stacked, precision, parts.front().second + ".weight")
                             : FrozenMatrix::fromBlocks(blocks, precision);
    stacked = placeholder(stacked);
    int64_t row = 0;
    for (const auto &[p, name] : parts) {
        const int64_t rows = p->weight.size(0);
        p->compact = compact->rowRange(row, rows);
        p->weight = stacked.narrow(0, row, rows);
        p->packed.reset();  // its blocks, if any, now live in `compact`
        w.named[name + ".weight"] = p->weight;
        row += rows;
    }
}

} // namespace

void compactLayer(DecoderWeights &weights, LayerWeights &l, const std::string &prefix,
                  BasePrecision precision)
{
    compactGroup(weights, {{&l.q, prefix + "self_attn.q_proj"}, {&l.k, prefix + "self_attn.k_proj"},
                           {&l.v, prefix + "self_attn.v_proj"}},
                 l.qkvWeight, l.qkvCompact, precision);
    compactGroup(weights, {{&l.gate, prefix + "mlp.gate_proj"}, {&l.up, prefix + "mlp.up_proj"}},
                 l.gateUpWeight, l.gateUpCompact, precision);
    for (auto [p, name] : Parts{{&l.o, prefix + "self_attn.o_proj"}, {&l.down, prefix + "mlp.down_proj"}}) {
        torch::Tensor single = p->weight;
        std::shared_ptr<const FrozenMatrix> compact;
        compactGroup(weights, {{p, name}}, single, compact, precision);
    }
}

const Projection *findBlockProjection(const DecoderWeights &weights, const std::string &name)
{
    for (size_t i = 0; i < weights.layers.size(); ++i) {
        const LayerWeights &l = weights.layers[i];
        const std::string p = "model.layers." + std::to_string(i) + ".";
        const std::pair<const Projection *, const char *> all[] = {
            {&l.q, "self_attn.q_proj"}, {&l.k, "self_attn.k_proj"}, {&l.v, "self_attn.v_proj"},
            {&l.o, "self_attn.o_proj"}, {&l.gate, "mlp.gate_proj"}, {&l.up, "mlp.up_proj"},
            {&l.down, "mlp.down_proj"}};
        for (const auto &[projection, module] : all)
            if (name == p + module + ".weight")
                return projection;
    }
    return nullptr;
}

int64_t residentWeightBytes(const DecoderWeights &weights)
{
    int64_t bytes = 0;
    std::set<const void *> seen;
    for (const auto &[name, t] : weights.named)
        if (t.defined() && !t.is_meta() && seen.insert(t.storage().data()).second)
            bytes += int64_t(t.storage().nbytes());
    for (const LayerWeights &l : weights.layers)
        for (const Projection *p : {&l.q, &l.k, &l.v, &l.o, &l.gate, &l.up, &l.down})
            if (p->compact && seen.insert(p->compact->storageId()).second)
                bytes += p->compact->storageBytes();
    return bytes;
}

std::vector<float> compactBaseWeight(const Model &model, const std::string &name,
                                     std::vector<int64_t> &shape)
{
    const Projection *p = findBlockProjection(model.impl().weights, name);
    if (!p)
        throwBadInput("'" + name + "' is not a block projection's weight of this model "
                      "(e.g. model.layers.0.self_attn.q_proj.weight)");
    const torch::Tensor values =
        p->compact ? p->compact->dequantized() : p->weight.to(torch::kFloat32).contiguous();
    shape = values.sizes().vec();
    return std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
}

int64_t modelWeightBytes(const Model &model)
{
    return residentWeightBytes(model.impl().weights);
}

} // namespace ft
