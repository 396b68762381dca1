#include "train/devicemove.h"

#include "model/frozenmatrix.h"

#include <torch/torch.h>

#include <unordered_map>

namespace ft {

void moveWeightsTo(DecoderWeights &weights, const torch::Device &device)
{
    torch::NoGradGuard noGrad;
    // One moved tensor per original storage, so that tied and by-name aliases stay one tensor.
    std::unordered_map<const void *, torch::Tensor> moved;
    // A compact base's projections hold shape-only meta placeholders: they stay meta, and
    // their compact storage moves instead (moveCompactBaseTo).
    auto move = [&](torch::Tensor &t) {
        if (!t.defined() || t.is_meta() || t.device() == device)
            return;
        const void *key = t.unsafeGetTensorImpl();
        auto it = moved.find(key);
        if (it == moved.end())
            it = moved.emplace(key, t.to(device)).first;
        t = it->second;
    };
    // q/k/v and gate/up stay stacked (decoder.cpp runs them as one GEMM): the stacked tensor
    // moves once and the projections become row views of the moved copy.
    auto moveStacked = [&](torch::Tensor &stacked, std::initializer_list<torch::Tensor *> views) {
        if (!stacked.defined() || stacked.is_meta() || stacked.device() == device)
            return;
        const torch::Tensor target = stacked.to(device);
        int64_t row = 0;
        for (torch::Tensor *view : views) {
            const int64_t rows = view->size(0);
            moved.emplace(view->unsafeGetTensorImpl(), target.narrow(0, row, rows));
            row += rows;
        }
        stacked = target;
    };
    auto projection = [&](Projection &p) {
        move(p.weight);
        move(p.bias);
        if (!device.is_cpu())
            p.packed.reset();
    };
    move(weights.embed);
    move(weights.positions);
    move(weights.finalNorm);
    move(weights.finalNormBias);
    projection(weights.lmHead);
    for (LayerWeights &l : weights.layers) {
        moveStacked(l.qkvWeight, {&l.q.weight, &l.k.weight, &l.v.weight});
        moveStacked(l.qkvBias, {&l.q.bias, &l.k.bias, &l.v.bias});
        moveStacked(l.gateUpWeight, {&l.gate.weight, &l.up.weight});
        moveStacked(l.gateUpBias, {&l.gate.bias, &l.up.bias});
        for (torch::Tensor *t : {&l.inputNorm, &l.postAttentionNorm, &l.ln1, &l.ln1Bias, &l.ln2,
                                 &l.ln2Bias, &l.cAttn, &l.cAttnBias, &l.cProj, &l.cProjBias, &l.fc,
                                 &l.fcBias, &l.mlpProj, &l.mlpProjBias})
            move(*t);
        for (Projection *p : {&l.q, &l.k, &l.v, &l.o, &l.gate, &l.up, &l.down})
            projection(*p);
    }
    move(weights.virtualTokens);
    for (auto &entry : weights.named)
        move(entry.second);
    if (!device.is_cpu())
        moveCompactBaseTo(weights, device);
}

void moveCompactBaseTo(DecoderWeights &weights, const torch::Device &device)
{
    FrozenMatrix::MovedStorages moved;
    auto move = [&](std::shared_ptr<const FrozenMatrix> &m) {
        if (m && (!m->tensorStorage() || m->device() != device))
            m = m->toTensorStorage(device, moved);
    };
    for (LayerWeights &l : weights.layers) {
        move(l.qkvCompact);
        move(l.gateUpCompact);
        for (Projection *p : {&l.q, &l.k, &l.v, &l.o, &l.gate, &l.up, &l.down})
            move(p->compact);
    }
}

} // namespace ft
