// Gradient checkpointing per decoder block: the block's forward pass keeps no activations, and
// the backward pass runs the block again from its saved input (as torch.utils.checkpoint's
// reentrant variant does). Memory drops to one block's activations plus each block's input;
// the price is a second forward pass per block.
#pragma once

#include <torch/types.h>

#include <functional>

namespace ft {

using BlockFunction = std::function<torch::Tensor(const torch::Tensor &)>;

// block(x), recomputed in backward when autograd is recording; plain block(x) otherwise. The
// parameters the block uses get their gradients accumulated directly when it is recomputed, so
// the output requires grad whenever autograd records, even if x does not (a frozen embedding
// under LoRA). The random generator of x's device is replayed, so dropout masks are the same.
torch::Tensor checkpointedBlock(const BlockFunction &block, const torch::Tensor &x);

} // namespace ft
