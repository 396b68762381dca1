#include "model/trainingops.h"

#include "model/cpusgemm.h"
#include "model/fusedkernels.h"

#include <torch/autograd.h>
#include <torch/torch.h>

namespace ft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

torch::Tensor rotateHalf(const torch::Tensor &x)
{
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// The transpose of rotateHalf: [g1, g2] -> [g2, -g1].
torch::Tensor rotateHalfTransposed(const torch::Tensor &g)
{
    const int64_t half = g.size(-1) / 2;
    return torch::cat({g.narrow(-1, half, half), -g.narrow(-1, 0, half)}, -1);
}

// Sums a broadcast gradient back to `like`'s shape.
torch::Tensor reduceTo(const torch::Tensor &grad, const torch::Tensor &like)
{
    return grad.sum_to_size(like.sizes());
}

// x's shape with its last dimension set to `size`.
std::vector<int64_t> withLastSize(const torch::Tensor &x, int64_t size)
{
    auto shape = x.sizes().vec();
    shape.back() = size;
    return shape;
}

// flat @ weight^T + bias (bias may be undefined) through oneDNN: flat (N, K), weight (M, K).
torch::Tensor biasedProduct(const torch::Tensor &flat, const torch::Tensor &weight,
                            const torch::Tensor &bias)
{
    torch::Tensor y = torch::empty({flat.size(0), weight.size(0)}, flat.options());
    float beta = 0.0f;
    if (bias.defined()) {
        y.copy_(bias.expand_as(y));
        beta = 1.0f;
    }
    cpugemm::gemm(flat, false, weight, true, beta, y);
    return y;
}

// Tensors handed to a custom Function through this wrapper are not graph inputs: LibTorch
// 1.13's Function::apply rejects undefined tensor arguments, and these never need a gradient.
struct Constant
{
    torch::Tensor tensor;
};

struct FrozenLinear : torch::autograd::Function<FrozenLinear>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &x,
                                 Constant weightArg, Constant biasArg, bool transposed)
    {
        const torch::Tensor &weight = weightArg.tensor, &bias = biasArg.tensor;
        ctx->saved_data["weight"] = weight;
        ctx->saved_data["transposed"] = transposed;
        if (transposed) {
            auto shape = x.sizes().vec();
            shape.back() = weight.size(1);
            const torch::Tensor flat = x.reshape({-1, x.size(-1)});
            return (bias.defined() ? torch::addmm(bias, flat, weight) : flat.mm(weight)).view(shape);
        }
        if (cpugemm::applies({weight}) && fused::applies({x}))
            return biasedProduct(x.reshape({-1, x.size(-1)}).contiguous(), weight, bias)
                .view(withLastSize(x, weight.size(0)));
        return bias.defined() ? torch::linear(x, weight, bias) : torch::linear(x, weight);
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const torch::Tensor weight = ctx->saved_data["weight"].toTensor();
        const bool transposed = ctx->saved_data["transposed"].toBool();
        if (!transposed && cpugemm::applies({weight}) && fused::applies({grads[0]})) {
            const torch::Tensor dy = grads[0].reshape({-1, grads[0].size(-1)}).contiguous();
            const torch::Tensor gradX = cpugemm::matmul(dy, false, weight, false)
                                            .view(withLastSize(grads[0], weight.size(1)));
            return {gradX, torch::Tensor(), torch::Tensor(), torch::Tensor()};
        }
        const torch::Tensor gradX =
            transposed ? torch::matmul(grads[0], weight.t()) : torch::matmul(grads[0], weight);
        // One entry per forward argument, tensors or not.
        return {gradX, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

// x @ W^T + b + (x @ A^T) @ B^T for a frozen W: the LoRA adapters of one projection or of a
// stacked group in one pass. Forward adds the low-rank term into the base GEMM's output in
// place; backward reads the output gradient once per GEMM and accumulates the input's gradient
// in place, instead of a separate scale, add and gradient sum per adapter.
struct FrozenLinearLowRank : torch::autograd::Function<FrozenLinearLowRank>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &x, Constant weightArg,
                                 Constant biasArg, const torch::Tensor &a, const torch::Tensor &b)
    {
        const torch::Tensor &weight = weightArg.tensor, &bias = biasArg.tensor;
        const torch::Tensor flat = x.reshape({-1, x.size(-1)});
        if (cpugemm::applies({weight, a, b}) && fused::applies({x})) {
            const torch::Tensor rows = flat.contiguous();
            torch::Tensor y = biasedProduct(rows, weight, bias);
            const torch::Tensor z = cpugemm::matmul(rows, false, a, true);
            cpugemm::gemm(z, false, b, true, 1.0f, y);
            ctx->save_for_backward({x, z, a, b});
            ctx->saved_data["weight"] = weight;
            return y.view(withLastSize(x, weight.size(0)));
        }
        torch::Tensor y = bias.defined() ? torch::addmm(bias, flat, weight.t()) : flat.mm(weight.t());
        const torch::Tensor z = flat.mm(a.t());
        y.addmm_(z, b.t());
        ctx->save_for_backward({x, z, a, b});
        ctx->saved_data["weight"] = weight;
        auto shape = x.sizes().vec();
        shape.back() = weight.size(0);
        return y.view(shape);
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &x = saved[0], &z = saved[1], &a = saved[2], &b = saved[3];
        const torch::Tensor weight = ctx->saved_data["weight"].toTensor();
        const torch::Tensor dy = grads[0].reshape({-1, grads[0].size(-1)});
        torch::Tensor dx, da, db;
        if (cpugemm::applies({weight, a, b, z}) && fused::applies({x, dy})) {
            const torch::Tensor rows = dy.contiguous();
            const torch::Tensor dz = cpugemm::matmul(rows, false, b, false);
            if (ctx->needs_input_grad(0)) {
                dx = cpugemm::matmul(rows, false, weight, false);
                cpugemm::gemm(dz, false, a, false, 1.0f, dx);
                dx = dx.view(x.sizes());
            }
            if (ctx->needs_input_grad(1))
                da = cpugemm::matmul(dz, true, x.reshape({-1, x.size(-1)}).contiguous(), false);
            if (ctx->needs_input_grad(2))
                db = cpugemm::matmul(rows, true, z, false);
            return {dx, torch::Tensor(), torch::Tensor(), da, db};
        }
        const torch::Tensor dz = dy.mm(b);
        if (ctx->needs_input_grad(0))
            dx = dy.mm(weight).addmm_(dz, a).view(x.sizes());
        // needs_input_grad counts tensor arguments only: x, a, b.
        if (ctx->needs_input_grad(1))
            da = dz.t().mm(x.reshape({-1, x.size(-1)}));
        if (ctx->needs_input_grad(2))
            db = dy.t().mm(z);
        return {dx, torch::Tensor(), torch::Tensor(), da, db};
    }
};

// silu(gate) * up and its gradients: one pass each where the kernels apply. The gradient
// comes as (..., 2I), gate's then up's, ready for the stacked gate/up projection.
torch::Tensor siluMulValue(const torch::Tensor &gate, const torch::Tensor &up)
{
    if (fused::applies({gate, up}) && gate.sizes() == up.sizes())
        return fused::siluMul(gate, up);
    return torch::silu(gate) * up;
}

torch::Tensor siluMulGradient(const torch::Tensor &grad, const torch::Tensor &gate,
                              const torch::Tensor &up)
{
    if (fused::applies({gate, up, grad}) && gate.sizes() == up.sizes())
        return fused::siluMulBackward(grad, gate, up);
    const torch::Tensor sig = torch::sigmoid(gate);
    // d silu / d gate = sig * (1 + gate * (1 - sig))
    const torch::Tensor dGate = grad * up * (sig * (1 + gate * (1 - sig)));
    return torch::cat({dGate, grad * (gate * sig)}, -1);
}

struct SiluMul : torch::autograd::Function<SiluMul>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &gate,
                                 const torch::Tensor &up)
    {
        ctx->save_for_backward({gate, up});
        return siluMulValue(gate, up);
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor both = siluMulGradient(grads[0], saved[0], saved[1]);
        const int64_t n = saved[0].size(-1);
        return {both.narrow(-1, 0, n), both.narrow(-1, n, n)};
    }
};

// The same over the stacked gate/up output (..., 2I): its gradient needs no concatenation.
struct SiluMulStacked : torch::autograd::Function<SiluMulStacked>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &gateUp)
    {
        ctx->save_for_backward({gateUp});
        const int64_t n = gateUp.size(-1) / 2;
        return siluMulValue(gateUp.narrow(-1, 0, n), gateUp.narrow(-1, n, n));
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const torch::Tensor gateUp = ctx->get_saved_variables()[0];
        const int64_t n = gateUp.size(-1) / 2;
        return {siluMulGradient(grads[0], gateUp.narrow(-1, 0, n), gateUp.narrow(-1, n, n))};
    }
};

struct Rotary : torch::autograd::Function<Rotary>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &x,
                                 const torch::Tensor &cos, const torch::Tensor &sin)
    {
        ctx->save_for_backward({cos, sin});
        if (x.dim() == 4 && fused::applies({x, cos, sin}))
            return fused::rotary(x, cos, sin);
        return x * cos + rotateHalf(x) * sin;
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &cos = saved[0], &sin = saved[1], &grad = grads[0];
        if (grad.dim() == 4 && fused::applies({grad, cos, sin}))
            return {fused::rotaryBackward(grad, cos, sin), torch::Tensor(), torch::Tensor()};
        return {grad * cos + rotateHalfTransposed(grad * sin), torch::Tensor(), torch::Tensor()};
    }
};

struct RmsNorm : torch::autograd::Function<RmsNorm>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &x,
                                 const torch::Tensor &weight, double eps)
    {
        if (fused::applies({x, weight})) {
            auto [out, rstd] = fused::rmsNorm(x, weight, eps);
            ctx->save_for_backward({x, weight, rstd});
            return out;
        }
        const torch::Tensor rstd = torch::rsqrt(x.pow(2).mean(-1, true) + eps);
        ctx->save_for_backward({x, weight, rstd});
        return weight * (x * rstd);
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor &x = saved[0], &weight = saved[1], &rstd = saved[2], &grad = grads[0];
        torch::Tensor gradX, gradW;
        if (fused::applies({grad, x, weight, rstd})) {
            gradX = fused::rmsNormBackward(grad, x, weight, rstd);
        } else {
            const torch::Tensor normed = x * rstd;
            const torch::Tensor g = grad * weight;
            // d/dx of x * rstd(x): rstd * (g - normed * mean(g * normed))
            gradX = rstd * (g - normed * (g * normed).mean(-1, true));
        }
        if (weight.requires_grad())
            gradW = reduceTo(grad * (x * rstd), weight);
        return {gradX, gradW, torch::Tensor()};
    }
};

} // namespace

bool useTrainingOps(const torch::Tensor &x)
{
    return torch::GradMode::is_enabled() && x.requires_grad();
}

torch::Tensor frozenLinear(const torch::Tensor &x, const torch::Tensor &weight,
                           const torch::Tensor &bias, bool transposedWeight)
{
    return FrozenLinear::apply(x, Constant{weight}, Constant{bias}, transposedWeight);
}

torch::Tensor frozenLinearLowRank(const torch::Tensor &x, const torch::Tensor &weight,
                                  const torch::Tensor &bias, const torch::Tensor &a,
                                  const torch::Tensor &b)
{
    return FrozenLinearLowRank::apply(x, Constant{weight}, Constant{bias}, a, b);
}

torch::Tensor siluMul(const torch::Tensor &gate, const torch::Tensor &up)
{
    return SiluMul::apply(gate, up);
}

torch::Tensor siluMulStacked(const torch::Tensor &gateUp)
{
    return SiluMulStacked::apply(gateUp);
}

torch::Tensor rotary(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    return Rotary::apply(x, cos, sin);
}

torch::Tensor rmsNormTrain(const torch::Tensor &x, const torch::Tensor &weight, double eps)
{
    return RmsNorm::apply(x, weight, eps);
}

} // namespace ft
