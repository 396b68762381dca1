// A LoRA adapter on one linear map (Hu et al. 2021, arXiv:2106.09685), as PEFT's lora.Linear
// applies it: y = base(x) + scale * B(A(dropout(x))), A (r, in), B (out, r). The same formula
// serves GPT-2's Conv1D (PEFT's fan_in_fan_out=True only transposes the base weight on merge).
// With a magnitude vector it is DoRA (Liu et al. 2024, arXiv:2402.09353) as PEFT's
// DoraLinearLayer computes it (model/loraadapter.cpp).
#pragma once

#include <torch/torch.h>

namespace ft {

struct LoraAdapter
{
    torch::Tensor a;  // lora_A.weight (r, in)
    torch::Tensor b;  // lora_B.weight (out, r)
    double scale = 1.0;    // lora_alpha / r, or lora_alpha / sqrt(r) with use_rslora
    double dropout = 0.0;  // applied to the adapter's input in training only
    bool training = false;

    // DoRA: lora_magnitude_vector (out); undefined for plain LoRA. DoRA needs the base map's
    // weight and bias too (the slots in DecoderWeights; Conv1D weights are stored (in, out)).
    torch::Tensor magnitude;
    const torch::Tensor *baseWeight = nullptr;
    const torch::Tensor *baseBias = nullptr;
    bool fanInFanOut = false;

    bool dora() const { return magnitude.defined(); }

    // scale * B(A(dropout(x))) for x (..., in).
    torch::Tensor delta(const torch::Tensor &x) const
    {
        const torch::Tensor h = training && dropout > 0.0 ? torch::dropout(x, dropout, true) : x;
        return torch::linear(torch::linear(h, a), b) * scale;
    }

    // The adapted output for x given the base map's output y = base(x) (bias included).
    torch::Tensor apply(const torch::Tensor &y, const torch::Tensor &x) const
    {
        return dora() ? y + doraDelta(y, x) : y + delta(x);
    }

    // DoRA's addition to the base output (peft DoraLinearLayer.forward).
    torch::Tensor doraDelta(const torch::Tensor &y, const torch::Tensor &x) const;
    // The base weight as (out, in), and ||W + scale * B @ A|| per output row (no gradient).
    torch::Tensor baseWeightOutIn() const;
    torch::Tensor weightNorm() const;
};

} // namespace ft
