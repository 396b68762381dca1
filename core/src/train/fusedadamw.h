// torch::optim::AdamW whose step is one pass over each parameter's memory on the CPU: decay,
// both moments and the update per element, instead of LibTorch 1.13's eight tensor ops per
// parameter (each a full pass over 134.5M floats in full fine-tuning: 5 % of a step). Same
// formula in the same order, the same state (AdamWParamState: step, exp_avg, exp_avg_sq), so
// checkpoints and ZeRO's state handling are unchanged; compared with torch.optim.AdamW in
// tests/interop/test_optimizer.py. Anything it does not cover (CUDA, other dtypes, sparse or
// strided gradients, amsgrad) takes LibTorch's step.
#pragma once

#include <torch/optim/adamw.h>

namespace ft {

class FusedAdamW : public torch::optim::AdamW
{
public:
    using torch::optim::AdamW::AdamW;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

} // namespace ft
