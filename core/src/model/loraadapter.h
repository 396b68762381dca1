// A LoRA adapter on one linear map (Hu et al. 2021, arXiv:2106.09685), as PEFT's lora.Linear
// applies it: y = base(x) + scale * B(A(dropout(x))), A (r, in), B (out, r). The same formula
// serves GPT-2's Conv1D (PEFT's fan_in_fan_out=True only transposes the base weight on merge).
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

    // scale * B(A(dropout(x))) for x (..., in).
    torch::Tensor delta(const torch::Tensor &x) const
    {
        const torch::Tensor h = training && dropout > 0.0 ? torch::dropout(x, dropout, true) : x;
        return torch::linear(torch::linear(h, a), b) * scale;
    }
};

} // namespace ft
