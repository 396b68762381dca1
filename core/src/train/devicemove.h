// Moving a loaded decoder's weights to another device (the trainer's device "cuda"), keeping
// the tensors that share storage (the by-role fields and the by-name map) shared.
#pragma once

#include "model/decoderweights.h"

#include <torch/types.h>

namespace ft {

// Every tensor of `weights` on `device` (a no-op where it is there already). Quantised copies
// for CPU decoding are dropped when the device is not the CPU. Attach adapters afterwards.
void moveWeightsTo(DecoderWeights &weights, const torch::Device &device);

} // namespace ft
