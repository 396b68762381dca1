#include "model/inferencelinear.h"

#include "model/cpusgemm.h"
#include "model/floatgemv.h"
#include "model/fusedkernels.h"

#include <torch/torch.h>


namespace ft {
namespace {

// Fewer rows than this (a short prompt, the LM head over each question's last token) are bound
// by reading the weights: the decoding step's gemv streams them once for all rows. LibTorch's
// OpenBLAS was as fast on AVX2 machines but runs generic SSE3 kernels on an AVX-512 Xeon it does
// not know (a 16-token prompt pass took 3x transformers').
constexpr int64_t kMinGemmRows = 32;

} // namespace

bool inferenceLinearApplies(const torch::Tensor &x, const torch::Tensor &weight,
                            const torch::Tensor &bias)
{
    if (torch::GradMode::is_enabled() || x.requires_grad() || weight.requires_grad())
        return false;
    if (bias.defined() && (bias.requires_grad() || !fused::applies({bias}) || bias.dim() != 1))
        return false;
    return x.dim() >= 2 && weight.dim() == 2 && fused::applies({x, weight}) &&
           weight.is_contiguous() && x.size(-1) == weight.size(1) && x.numel() > 0;
}

torch::Tensor inferenceLinear(const torch::Tensor &x, const torch::Tensor &weight,
                              const torch::Tensor &bias)
{
    const torch::Tensor flat = x.reshape({-1, x.size(-1)}).contiguous(); // (M, K)
    const int64_t M = flat.size(0), K = flat.size(1), N = weight.size(0);
    torch::Tensor y = torch::empty({M, N}, x.options()); // (M, N)
    if (M < kMinGemmRows) {
        floatGemvBatch(weight.data_ptr<float>(), N, K, flat.data_ptr<float>(), M,
                       bias.defined() ? bias.contiguous().data_ptr<float>() : nullptr, y.data_ptr<float>());
        auto shape = x.sizes().vec();
        shape.back() = N;
        return y.view(shape);
    }
    float beta = 0.0f;
    if (bias.defined()) {
        y.copy_(bias.expand({M, N}));
        beta = 1.0f;
    }
    // Row-major: y = flat @ weight^T (+ y).
    if (!cpugemm::sgemm('N', 'T', M, N, K, 1.0f, flat.data_ptr<float>(), K, weight.data_ptr<float>(),
                        K, beta, y.data_ptr<float>(), N)) {
        if (beta == 0.0f)
            torch::mm_out(y, flat, weight.t());
        else
            y.addmm_(flat, weight.t());
    }
    auto shape = x.sizes().vec();
    shape.back() = N;
    return y.view(shape);
}

} // namespace ft
