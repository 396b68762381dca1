#include "model/frozenlinear.h"

#include <torch/autograd.h>
#include <torch/torch.h>

#include <cstdint>

namespace ft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The weight as float32 (rows, cols). CPU bytes: in this thread's buffer, grown to the largest
// projection seen and reused by every one after it, valid until the next call on this thread.
// Tensor storage (a CUDA base): a new tensor from tensor ops on the storage's device, which the
// device's caching allocator recycles from one projection to the next.
torch::Tensor dequantizedWeight(const FrozenMatrix &weight)
{
    if (weight.tensorStorage())
        return weight.dequantizedTensor();
    thread_local torch::Tensor buffer;
    const int64_t n = weight.rows() * weight.cols();
    if (!buffer.defined() || buffer.numel() < n)
        buffer = torch::empty({n}, torch::kFloat32);
    weight.dequantizeInto(buffer.data_ptr<float>());
    return buffer.narrow(0, 0, n).view({weight.rows(), weight.cols()});
}

// The FrozenMatrix travels through the autograd context as its address: the model owns it and
// outlives every graph built over it (training holds the model).
int64_t addressOf(const FrozenMatrix &weight)
{
    return static_cast<int64_t>(reinterpret_cast<std::uintptr_t>(&weight));
}

const FrozenMatrix &matrixAt(const c10::IValue &address)
{
    return *reinterpret_cast<const FrozenMatrix *>(static_cast<std::uintptr_t>(address.toInt()));
}

// Tensors that are not graph inputs (LibTorch 1.13 rejects undefined tensor arguments).
struct Constant
{
    torch::Tensor tensor;
};

struct CompactLinear : torch::autograd::Function<CompactLinear>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &x, int64_t weightAddress,
                                 Constant biasArg)
    {
        ctx->saved_data["weight"] = weightAddress;
        const FrozenMatrix &matrix = matrixAt(weightAddress);
        const torch::Tensor &bias = biasArg.tensor;
        auto shape = x.sizes().vec();
        shape.back() = matrix.rows();
        const torch::Tensor flat = x.reshape({-1, x.size(-1)});
        const torch::Tensor w = dequantizedWeight(matrix);  // (out, in)
        torch::Tensor y = bias.defined() ? torch::addmm(bias, flat, w.t()) : flat.mm(w.t());
        return y.view(shape);
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const torch::Tensor w = dequantizedWeight(matrixAt(ctx->saved_data["weight"]));
        return {torch::matmul(grads[0], w.to(grads[0].scalar_type())), torch::Tensor(), torch::Tensor()};
    }
};

struct CompactLinearLowRank : torch::autograd::Function<CompactLinearLowRank>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &x, int64_t weightAddress,
                                 Constant biasArg, const torch::Tensor &a, const torch::Tensor &b)
    {
        const FrozenMatrix &matrix = matrixAt(weightAddress);
        const torch::Tensor &bias = biasArg.tensor;
        const torch::Tensor flat = x.reshape({-1, x.size(-1)});
        const torch::Tensor w = dequantizedWeight(matrix);  // (out, in)
        torch::Tensor y = bias.defined() ? torch::addmm(bias, flat, w.t()) : flat.mm(w.t());
        const torch::Tensor z = flat.mm(a.t());  // (N, R)
        // (Under CUDA autocast y and z are bf16 and b float32; an in-place op is not cast for us.)
        y.addmm_(z.to(y.scalar_type()), b.t().to(y.scalar_type()));
        ctx->save_for_backward({x, z, a, b});
        ctx->saved_data["weight"] = weightAddress;
        auto shape = x.sizes().vec();
        shape.back() = matrix.rows();
        return y.view(shape);
    }
    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        // Under CUDA autocast the forward's GEMMs ran in bf16 and the gradient comes in bf16:
        // the backward GEMMs run in the gradient's dtype too (autograd casts each result to its
        // input's dtype). On the CPU everything is float32 and the casts are no-ops.
        const auto dtype = grads[0].scalar_type();
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor x = saved[0].to(dtype), z = saved[1].to(dtype), a = saved[2].to(dtype),
                            b = saved[3].to(dtype);
        const torch::Tensor dy = grads[0].reshape({-1, grads[0].size(-1)});
        const torch::Tensor dz = dy.mm(b);
        torch::Tensor dx, da, db;
        if (ctx->needs_input_grad(0)) {
            const torch::Tensor w = dequantizedWeight(matrixAt(ctx->saved_data["weight"])).to(dtype);
            dx = dy.mm(w).addmm_(dz, a).view(x.sizes());
        }
        // needs_input_grad counts tensor arguments only: x, a, b.
        if (ctx->needs_input_grad(1))
            da = dz.t().mm(x.reshape({-1, x.size(-1)}));
        if (ctx->needs_input_grad(2))
            db = dy.t().mm(z);
        return {dx, torch::Tensor(), torch::Tensor(), da, db};
    }
};

} // namespace

torch::Tensor compactLinear(const torch::Tensor &x, const FrozenMatrix &weight,
                            const torch::Tensor &bias)
{
    return CompactLinear::apply(x, addressOf(weight), Constant{bias});
}

torch::Tensor compactLinearLowRank(const torch::Tensor &x, const FrozenMatrix &weight,
                                   const torch::Tensor &bias, const torch::Tensor &a,
                                   const torch::Tensor &b)
{
    return CompactLinearLowRank::apply(x, addressOf(weight), Constant{bias}, a, b);
}

} // namespace ft
