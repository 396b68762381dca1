// Padding-free micro-batches: the examples of a micro-batch laid end to end in one row, each
// keeping its own positions and attention (ForwardInputs::segments), and a loss computed only at
// the positions whose next token is trained. Same loss as a right-padded batch, without the
// padding's compute and without logits for prompt tokens (lm_head is the widest matrix).
#pragma once

#include "train/trainingdata.h"

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace ft {

class Decoder;

struct FlatBatch
{
    torch::Tensor ids;          // (1, N)
    torch::Tensor positions;    // (1, N), restarting at 0 per example
    std::vector<int64_t> segments;  // example lengths, summing to N
    torch::Tensor lossRows;     // (M) positions whose next token carries loss
    torch::Tensor targets;      // (M) those next tokens
    int64_t tokens = 0;         // N
};

FlatBatch flattenExamples(const std::vector<const Example *> &examples);

// Summed cross-entropy over the batch's loss tokens (divide by the step's loss-token count for
// transformers' num_items_in_batch mean). Undefined tensor when the batch has no loss token.
torch::Tensor flatBatchLossSum(const Decoder &decoder, const FlatBatch &batch);

} // namespace ft
