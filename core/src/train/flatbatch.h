// Micro-batch loss without padding: the examples of a micro-batch laid end to end in one row,
// each keeping its own positions and attention (ForwardInputs::segments), and lm_head applied
// only at the positions whose next token is trained (train/linearcrossentropy.h). Same loss as a
// right-padded batch, without the padding's compute and without logits for prompt tokens.
#pragma once

#include "train/trainingdata.h"

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace ft {

class Decoder;

using ExampleRefs = std::vector<const Example *>;

struct FlatBatch
{
    torch::Tensor ids;          // (1, N)
    torch::Tensor positions;    // (1, N), restarting at 0 per example
    std::vector<int64_t> segments;  // example lengths, summing to N
    torch::Tensor lossRows;     // (M) positions whose next token carries loss
    torch::Tensor targets;      // (M) those next tokens
    int64_t tokens = 0;         // N
};

FlatBatch flattenExamples(const ExampleRefs &examples);

// Tokens and loss-bearing tokens (labels after the causal shift) of some examples.
int64_t tokenCount(const ExampleRefs &examples);
int64_t lossTokenCount(const ExampleRefs &examples);

// Summed cross-entropy over the examples' loss tokens (divide by the step's loss-token count for
// transformers' num_items_in_batch mean); undefined when there is none. Padding-free, except
// with prompt-tuning virtual tokens (prepended per row), which take a right-padded batch.
torch::Tensor batchLossSum(const Decoder &decoder, const ExampleRefs &examples);

} // namespace ft
