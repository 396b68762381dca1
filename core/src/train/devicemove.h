// Moving a loaded decoder's weights to another device (the trainer's device "cuda"), keeping
// the tensors that share storage (the by-role fields and the by-name map) shared.
#pragma once

#include "model/decoderweights.h"

#include <torch/types.h>

namespace ft {

// Every tensor of `weights` on `device` (a no-op where it is there already). Quantised copies
// for CPU decoding are dropped when the device is not the CPU. Attach adapters afterwards.
// A compact frozen base's storage moves along (as tensors; model/frozenmatrix.h).
void moveWeightsTo(DecoderWeights &weights, const torch::Device &device);

// Only the compact base's storage, as tensors on `device`, dequantised from then on with tensor
// ops. On the CPU this is the CUDA path run where tests can check it (FT_TEST_TENSOR_DEQUANT);
// training on the CPU otherwise keeps the byte storage and its faster loops.
void moveCompactBaseTo(DecoderWeights &weights, const torch::Device &device);

} // namespace ft
