#include "train/causallmloss.h"

#include "ft/error.h"

#include <torch/torch.h>

namespace ft {

torch::Tensor causalLmLoss(const torch::Tensor &logits, const torch::Tensor &labels)
{
    if (logits.dim() != 3 || labels.dim() != 2 || logits.size(0) != labels.size(0) ||
        logits.size(1) != labels.size(1))
        throw Error(ErrorKind::Internal, "causalLmLoss: logits (B, T, V) and labels (B, T) disagree");
    const int64_t V = logits.size(2);
    // labels = pad(labels, (0, 1), value=ignore_index); shift_labels = labels[..., 1:]
    torch::Tensor shifted = torch::constant_pad_nd(labels.to(torch::kInt64), {0, 1}, kIgnoreIndex)
                                .narrow(1, 1, labels.size(1));
    return torch::nn::functional::cross_entropy(
        logits.to(torch::kFloat32).reshape({-1, V}), shifted.reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnoreIndex).reduction(
            torch::kMean));
}

int64_t countLossTokens(const torch::Tensor &labels)
{
    if (labels.size(1) < 2)
        return 0;
    return labels.narrow(1, 1, labels.size(1) - 1).ne(kIgnoreIndex).sum().item<int64_t>();
}

} // namespace ft
