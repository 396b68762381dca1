#include "model/stackedlinear.h"

#include "model/cpusgemm.h"

#include <torch/autograd.h>
#include <torch/torch.h>

namespace ft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// op(a) @ op(b) through oneDNN (model/cpusgemm.h: in LibTorch's OpenMP pool, not OpenBLAS's own
// threads) where both are contiguous float32 matrices, else LibTorch's mm.
torch::Tensor product(const torch::Tensor &a, bool transposeA, const torch::Tensor &b, bool transposeB)
{
    if (cpugemm::applies({a, b}))
        return cpugemm::matmul(a, transposeA, b, transposeB);
    return (transposeA ? a.t() : a).mm(transposeB ? b.t() : b);
}

// Not a graph input: the stacked matrix itself does not train, its row views do.
struct Untracked
{
    torch::Tensor tensor;
};

struct TrainableStackedLinear : torch::autograd::Function<TrainableStackedLinear>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &x, Untracked stackedArg,
                                 at::TensorList weights)
    {
        const torch::Tensor &stacked = stackedArg.tensor;
        ctx->save_for_backward({x});
        ctx->saved_data["stacked"] = stacked;
        std::vector<int64_t> rows;
        for (const torch::Tensor &w : weights)
            rows.push_back(w.size(0));
        ctx->saved_data["rows"] = rows;
        auto shape = x.sizes().vec();
        shape.back() = stacked.size(0);
        return product(x.reshape({-1, x.size(-1)}).contiguous(), false, stacked, true).view(shape);
    }

    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const torch::Tensor x = ctx->get_saved_variables()[0];
        const torch::Tensor stacked = ctx->saved_data["stacked"].toTensor();
        const std::vector<int64_t> rows = ctx->saved_data["rows"].toIntVector();
        const torch::Tensor dY = grads[0].reshape({-1, stacked.size(0)}).contiguous();
        tensor_list out{torch::Tensor(), torch::Tensor()};
        if (ctx->needs_input_grad(0))
            out[0] = product(dY, false, stacked, false).view(x.sizes());
        // One GEMM for the group; each weight's gradient is its rows (contiguous).
        const torch::Tensor dW = product(dY, true, x.reshape({-1, x.size(-1)}).contiguous(), false);
        int64_t row = 0;
        for (int64_t r : rows) {
            out.push_back(dW.narrow(0, row, r));
            row += r;
        }
        return out;
    }
};

} // namespace

bool trainableStackedLinearApplies(const torch::Tensor &x, const torch::Tensor &stacked,
                                   const std::vector<torch::Tensor> &weights,
                                   const std::vector<torch::Tensor> &biases)
{
    if (!torch::GradMode::is_enabled() || !stacked.defined() || stacked.requires_grad() ||
        !stacked.is_contiguous() || stacked.dim() != 2 || !stacked.device().is_cpu() ||
        stacked.scalar_type() != torch::kFloat || x.scalar_type() != torch::kFloat ||
        x.size(-1) != stacked.size(1) || x.numel() == x.size(-1))
        return false;
    for (const torch::Tensor &b : biases)
        if (b.defined())
            return false;
    const auto *base = static_cast<const char *>(stacked.data_ptr());
    int64_t row = 0;
    for (const torch::Tensor &w : weights) {
        if (!w.requires_grad() || !w.is_contiguous() || w.dim() != 2 ||
            w.size(1) != stacked.size(1) ||
            static_cast<const char *>(w.data_ptr()) != base + row * stacked.stride(0) * stacked.element_size())
            return false;
        row += w.size(0);
    }
    return row == stacked.size(0);
}

torch::Tensor trainableStackedLinear(const torch::Tensor &x, const torch::Tensor &stacked,
                                     const std::vector<torch::Tensor> &weights)
{
    return TrainableStackedLinear::apply(x, Untracked{stacked}, at::TensorList(weights));
}

} // namespace ft
