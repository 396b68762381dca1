// sum over rows of cross_entropy(hidden @ W^T + b, target), computed in chunks of rows so that
// the (rows, vocabulary) logits never exist whole: the gradients with respect to hidden (and W,
// b when they train) are formed chunk by chunk during the forward pass and only scaled in the
// backward. With a 49k vocabulary that is hundreds of MB less per micro-batch; the arithmetic
// (GEMMs, log-sum-exp) is the same as lm_head + cross_entropy. Without a graph to record (no
// grad mode, or nothing that requires grad: a reference pass) only the loss is computed.
#pragma once

#include <torch/types.h>

namespace ft {

torch::Tensor linearCrossEntropySum(const torch::Tensor &hidden, const torch::Tensor &weight,
                                    const torch::Tensor &bias, const torch::Tensor &targets,
                                    int64_t chunkRows = 256);

} // namespace ft
