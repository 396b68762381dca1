// DoRA's forward, as peft.tuners.lora.dora.DoraLinearLayer (peft 0.21):
//   norm   = ||W + scale * B @ A||_2 per output row, detached (DoRA paper, section 4.3)
//   m_norm = magnitude / norm
//   result = base(x) + (m_norm - 1) * base_nobias + m_norm * scale * B(A(x'))
// where, without dropout (or in eval), x' = x and base_nobias = base(x) - bias; with dropout in
// training, x' = dropout(x) and base_nobias = x' @ W^T.
#include "model/loraadapter.h"

namespace ft {

torch::Tensor LoraAdapter::baseWeightOutIn() const
{
    return fanInFanOut ? baseWeight->t() : *baseWeight;
}

torch::Tensor LoraAdapter::weightNorm() const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor loraWeight = torch::mm(b, a);
    return (baseWeightOutIn() + loraWeight * scale).norm(2, {1});
}

torch::Tensor LoraAdapter::doraDelta(const torch::Tensor &y, const torch::Tensor &x) const
{
    const torch::Tensor mNorm = magnitude / weightNorm();
    torch::Tensor input = x, baseNoBias;
    if (training && dropout > 0.0) {
        input = torch::dropout(x, dropout, true);
        baseNoBias = torch::linear(input, baseWeightOutIn());
    } else {
        baseNoBias = baseBias && baseBias->defined() ? y - *baseBias : y;
    }
    const torch::Tensor loraResult = torch::linear(torch::linear(input, a), b);
    return (mNorm - 1) * baseNoBias + mNorm * loraResult * scale;
}

} // namespace ft
