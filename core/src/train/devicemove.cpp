#include "train/devicemove.h"

#include <torch/torch.h>

#include <unordered_map>

namespace ft {

void moveWeightsTo(DecoderWeights &weights, const torch::Device &device)
{
    torch::NoGradGuard noGrad;
    // One moved tensor per original storage, so that tied and by-name aliases stay one tensor.
    std::unordered_map<const void *, torch::Tensor> moved;
    auto move = [&](torch::Tensor &t) {
        if (!t.defined() || t.device() == device)
            return;
        const void *key = t.unsafeGetTensorImpl();
        auto it = moved.find(key);
        if (it == moved.end())
            it = moved.emplace(key, t.to(device)).first;
        t = it->second;
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
}

} // namespace ft
