#include "train/fusedadamw.h"

#include "model/targetclones.h"
#include "train/optimizerstatekey.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>

namespace ft {
namespace {

// One step's scalars, as LibTorch's ops round them to float.
struct Coefficients
{
    float decay = 1.0f;           // 1 - lr * weight_decay
    float beta1 = 0.0f, oneMinusBeta1 = 0.0f, beta2 = 0.0f, oneMinusBeta2 = 0.0f;
    float sqrtBiasCorrection2 = 1.0f, eps = 0.0f, negativeStepSize = 0.0f;
};

// AdamW::step's ops, element by element in their order: p *= decay; m = m * b1 + (1 - b1) g;
// v = v * b2 + (1 - b2) g g; p += -step_size * m / (sqrt(v) / sqrt(bc2) + eps).
FT_CLONES void update(float *p, const float *g, float *m, float *v, int64_t n, const Coefficients &c)
{
    for (int64_t i = 0; i < n; ++i) {
        const float gi = g[i];
        const float mi = m[i] * c.beta1 + c.oneMinusBeta1 * gi;
        const float vi = v[i] * c.beta2 + c.oneMinusBeta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const float denom = std::sqrt(vi) / c.sqrtBiasCorrection2 + c.eps;
        p[i] = p[i] * c.decay + c.negativeStepSize * (mi / denom);
    }
}

bool plainCpuFloat(const torch::Tensor &t)
{
    return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 &&
           t.is_contiguous() && t.layout() == torch::kStrided;
}

} // namespace

torch::Tensor FusedAdamW::step(LossClosure closure)
{
    for (const auto &group : param_groups()) {
        const auto &options = static_cast<const torch::optim::AdamWOptions &>(group.options());
        if (options.amsgrad())
            return torch::optim::AdamW::step(std::move(closure));
        for (const auto &p : group.params())
            if (p.grad().defined() && (!plainCpuFloat(p) || !plainCpuFloat(p.grad())))
                return torch::optim::AdamW::step(std::move(closure));
    }
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        at::AutoGradMode enable(true);
        loss = closure();
    }
    for (auto &group : param_groups()) {
        const auto &options = static_cast<const torch::optim::AdamWOptions &>(group.options());
        const double lr = options.lr(), beta1 = std::get<0>(options.betas()),
                     beta2 = std::get<1>(options.betas());
        for (auto &p : group.params()) {
            if (!p.grad().defined())
                continue;
            auto found = state_.find(optimizerStateKey(p));
            if (found == state_.end()) {
                auto fresh = std::make_unique<torch::optim::AdamWParamState>();
                fresh->step(0);
                fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                found = state_.emplace(optimizerStateKey(p), std::move(fresh)).first;
            }
            auto &state = static_cast<torch::optim::AdamWParamState &>(*found->second);
            state.step(state.step() + 1);
            const double biasCorrection1 = 1 - std::pow(beta1, state.step());
            const double biasCorrection2 = 1 - std::pow(beta2, state.step());
            Coefficients c;
            c.decay = options.weight_decay() != 0 ? static_cast<float>(1 - lr * options.weight_decay()) : 1.0f;
            c.beta1 = static_cast<float>(beta1);
            c.oneMinusBeta1 = static_cast<float>(1 - beta1);
            c.beta2 = static_cast<float>(beta2);
            c.oneMinusBeta2 = static_cast<float>(1 - beta2);
            c.sqrtBiasCorrection2 = static_cast<float>(std::sqrt(biasCorrection2));
            c.eps = static_cast<float>(options.eps());
            c.negativeStepSize = static_cast<float>(-(lr / biasCorrection1));
            float *param = p.data_ptr<float>(), *m = state.exp_avg().data_ptr<float>(),
                  *v = state.exp_avg_sq().data_ptr<float>();
            const float *grad = p.grad().data_ptr<float>();
            at::parallel_for(0, p.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
                update(param + begin, grad + begin, m + begin, v + begin, end - begin, c);
            });
        }
    }
    return loss;
}

} // namespace ft
