#include "train/linearcrossentropy.h"

#include "model/cpusgemm.h"
#include "model/fusedkernels.h"

#include <torch/autograd.h>
#include <torch/torch.h>

namespace ft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Non-graph tensor arguments (LibTorch 1.13's Function::apply rejects undefined tensors).
struct Constant
{
    torch::Tensor tensor;
};

// The loss summed over rows, chunk by chunk; with gradHidden (and gradWeight) defined it fills
// them with the loss's gradients as it goes (the logits' gradient is a by-product of the loss).
double chunkedCrossEntropy(const torch::Tensor &hidden, const torch::Tensor &weight,
                           const torch::Tensor &bias, const torch::Tensor &targets, int64_t chunkRows,
                           torch::Tensor gradHidden, torch::Tensor gradWeight)
{
    const int64_t rows = hidden.size(0);
    // On the CPU in float32: every chunk's logits in one buffer (a fresh one per chunk
    // costs page faults on each), softmax and loss in one pass (fused::softmaxCrossEntropy).
    const bool fusedPath = fused::applies({hidden, weight});
    // Its GEMMs through oneDNN where the operands are plain matrices (model/cpusgemm.h).
    const bool oneDnn = fusedPath && cpugemm::applies({hidden, weight});
    torch::Tensor buffer;
    if (fusedPath)
        buffer = torch::empty({std::min(chunkRows, rows), weight.size(0)}, hidden.options());
    double total = 0.0;
    for (int64_t start = 0; start < rows; start += chunkRows) {
        const int64_t n = std::min(chunkRows, rows - start);
        const torch::Tensor h = hidden.narrow(0, start, n);
        const torch::Tensor y = targets.narrow(0, start, n);
        torch::Tensor dLogits;  // d(loss)/d(logits) = softmax - onehot
        if (fusedPath) {
            dLogits = buffer.narrow(0, 0, n);
            if (oneDnn) {
                if (bias.defined())
                    dLogits.copy_(bias.expand_as(dLogits));
                cpugemm::gemm(h, false, weight, true, bias.defined() ? 1.0f : 0.0f, dLogits);
            } else if (bias.defined()) {
                torch::addmm_out(dLogits, bias, h, weight.t());
            } else {
                torch::mm_out(dLogits, h, weight.t());
            }
            total += fused::softmaxCrossEntropy(dLogits, y);
        } else {
            torch::Tensor logits = bias.defined() ? torch::linear(h, weight, bias)
                                                  : torch::linear(h, weight);  // (n, V)
            const torch::Tensor lse = torch::logsumexp(logits, -1, true);       // (n, 1)
            total += (lse.squeeze(-1) - logits.gather(1, y.unsqueeze(1)).squeeze(1))
                         .sum()
                         .item<double>();
            if (!gradHidden.defined())
                continue;
            dLogits = logits.sub_(lse).exp_();
            dLogits.scatter_add_(1, y.unsqueeze(1),
                                 torch::full({n, 1}, -1.0, dLogits.options()));
        }
        if (gradHidden.defined()) {
            torch::Tensor rowsGrad = gradHidden.narrow(0, start, n);
            if (oneDnn && cpugemm::applies({rowsGrad}))
                cpugemm::gemm(dLogits, false, weight, false, 0.0f, rowsGrad);
            else
                rowsGrad.copy_(dLogits.mm(weight));
        }
        if (gradWeight.defined()) {
            // The first chunk writes the buffer (left uninitialised, a 113 MB fill saved for a
            // 49k x 576 head), the others add to it.
            if (oneDnn && cpugemm::applies({gradWeight}))
                cpugemm::gemm(dLogits, true, h, false, start == 0 ? 0.0f : 1.0f, gradWeight);
            else if (start == 0)
                torch::mm_out(gradWeight, dLogits.t(), h);
            else
                gradWeight.addmm_(dLogits.t(), h);
        }
    }
    return total;
}

struct LinearCrossEntropy : torch::autograd::Function<LinearCrossEntropy>
{
    // bias: a constant (a training bias takes the unfused path, see linearCrossEntropySum).
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &hidden,
                                 const torch::Tensor &weight, Constant biasArg,
                                 Constant targetsArg, int64_t chunkRows)
    {
        const bool weightGrad = weight.requires_grad();
        torch::Tensor gradHidden = torch::empty_like(hidden);
        // Every element is written by the first chunk (rows > 0: the caller has targets).
        torch::Tensor gradWeight = weightGrad ? (hidden.size(0) > 0 ? torch::empty_like(weight) : torch::zeros_like(weight))
                                              : torch::Tensor();
        const double total = chunkedCrossEntropy(hidden, weight, biasArg.tensor, targetsArg.tensor,
                                                 chunkRows, gradHidden, gradWeight);
        ctx->saved_data["gradHidden"] = gradHidden;
        if (weightGrad)
            ctx->saved_data["gradWeight"] = gradWeight;
        return torch::tensor(total, hidden.options());
    }

    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        // Scaled in place (the graph is never retained, so this runs once): no second buffer the
        // size of the head, and the weight's gradient accumulator can take the buffer as it is.
        const torch::Tensor &scale = grads[0];
        torch::Tensor gradHidden = ctx->saved_data["gradHidden"].toTensor();
        const auto gradWeight = ctx->saved_data.find("gradWeight");
        torch::Tensor weightGrad;
        if (gradWeight != ctx->saved_data.end()) {
            weightGrad = gradWeight->second.toTensor().mul_(scale);
            ctx->saved_data.erase(gradWeight);
        }
        ctx->saved_data.erase("gradHidden");
        return {gradHidden.mul_(scale), weightGrad, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor linearCrossEntropySum(const torch::Tensor &hidden, const torch::Tensor &weight,
                                    const torch::Tensor &bias, const torch::Tensor &targets,
                                    int64_t chunkRows)
{
    if (bias.defined() && bias.requires_grad())
        return torch::nn::functional::cross_entropy(
            torch::linear(hidden, weight, bias), targets,
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    // Nothing to differentiate (a reference pass): the loss alone, no gradient buffers.
    if (!torch::GradMode::is_enabled() || (!hidden.requires_grad() && !weight.requires_grad())) {
        torch::NoGradGuard noGrad;
        return torch::tensor(chunkedCrossEntropy(hidden, weight, bias, targets, chunkRows,
                                                 torch::Tensor(), torch::Tensor()),
                             hidden.options());
    }
    return LinearCrossEntropy::apply(hidden, weight, Constant{bias}, Constant{targets}, chunkRows);
}

} // namespace ft
