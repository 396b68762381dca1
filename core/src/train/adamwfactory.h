// torch::optim::AdamW (Loshchilov & Hutter, arXiv:1711.05101) over named parameters, grouped as
// transformers' Trainer groups them: weight decay on matrices, none on biases and norm weights.
// create() makes a FusedAdamW (train/fusedadamw.h: the same step in one pass per parameter).
#pragma once

#include <torch/optim/adamw.h>
#include <torch/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

struct AdamWSettings
{
    double lr = 5e-5;          // the base learning rate a schedule scales
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 0.0;  // decoupled: p -= lr * weight_decay * p before the Adam update
};

class AdamWFactory
{
public:
    // Whether a parameter gets weight decay. transformers' get_decay_parameter_names excludes
    // LayerNorm/RMSNorm weights and every name containing "bias"; in the architectures served
    // here those are exactly the tensors with fewer than 2 dimensions or "bias" in the name.
    static bool decays(const std::string &name, const torch::Tensor &tensor);

    // Group 0: decayed parameters (weight_decay = settings.weightDecay); group 1: the rest
    // (weight_decay 0). An empty group is left out. Parameters must require grad.
    static std::unique_ptr<torch::optim::AdamW> create(const NamedTensors &parameters,
                                                       const AdamWSettings &settings);
    // Adds `parameters` to an existing optimizer as the same two groups (decayed, then the
    // rest; empty ones left out) with fresh state: what progressive unfreezing does when a
    // stage joins. Returns the number of groups added.
    static int addParameters(torch::optim::AdamW &optimizer, const NamedTensors &parameters,
                             const AdamWSettings &settings);
};

} // namespace ft
