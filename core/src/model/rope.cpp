#include "model/rope.h"

#include <torch/torch.h>

#include <cmath>

namespace ft {

// inv_freq = 1 / theta^(2i/D), computed in fp32 as transformers does
// (modeling_rope_utils._compute_default_rope_parameters); llama3 per
// _compute_llama3_parameters (Llama 3.1 report, section on long context).
Rope::Rope(const ModelConfig &config)
{
    const int64_t dim = config.headDim;
    torch::Tensor exponents =
        torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat32) / static_cast<double>(dim);
    torch::Tensor invFreq = 1.0 / torch::pow(config.ropeTheta, exponents);
    const RopeScaling &s = config.ropeScaling;
    if (s.type == "linear") {
        invFreq = invFreq / s.factor;
    } else if (s.type == "llama3") {
        const double lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
        const double highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
        torch::Tensor wavelen = 2 * M_PI / invFreq;
        torch::Tensor scaled = torch::where(wavelen > lowFreqWavelen, invFreq / s.factor, invFreq);
        torch::Tensor smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) /
                               (s.highFreqFactor - s.lowFreqFactor);
        torch::Tensor smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
        torch::Tensor medium = (wavelen >= highFreqWavelen).logical_and(wavelen <= lowFreqWavelen);
        invFreq = torch::where(medium, smoothed, scaled);
    }
    m_invFreq = invFreq.contiguous();
}

std::pair<torch::Tensor, torch::Tensor> Rope::cosSin(const torch::Tensor &positions) const
{
    torch::Tensor freqs =
        positions.to(torch::kFloat32).unsqueeze(-1) * m_invFreq.to(positions.device());  // (B, T, D/2)
    torch::Tensor emb = torch::cat({freqs, freqs}, -1).unsqueeze(2);                 // (B, T, 1, D)
    return {emb.cos(), emb.sin()};
}

torch::Tensor Rope::apply(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    const int64_t half = x.size(-1) / 2;
    torch::Tensor x1 = x.narrow(-1, 0, half);
    torch::Tensor x2 = x.narrow(-1, half, half);
    torch::Tensor rotated = torch::cat({-x2, x1}, -1);
    return x * cos + rotated * sin;
}

} // namespace ft
