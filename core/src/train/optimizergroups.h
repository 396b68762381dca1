// The run's AdamW: one (decay, no-decay) pair of parameter groups per strategy group, in joining
// order (progressive unfreezing adds groups mid-run), each with its base learning rate, which the
// schedule scales every step.
#pragma once

#include "train/adamwfactory.h"

#include <torch/optim/adamw.h>
#include <torch/types.h>

#include <memory>
#include <vector>

namespace ft {

class TrainableStrategy;

class OptimizerGroups
{
public:
    // `learningRate`: the run's learning_rate (a group's base lr = learningRate x its lrFactor).
    OptimizerGroups(const AdamWSettings &settings, double learningRate);

    // Adds the strategy's groups that joined since the last call (fresh AdamW state).
    void addNewGroups(const TrainableStrategy &strategy);
    // Every group's lr = its base lr x factor (the schedule's factor for this step).
    void scaleLearningRates(double factor);
    // Group 0's base lr (what the run logs, scaled by the schedule's factor).
    double firstBaseLr() const { return m_baseLrs.empty() ? 0.0 : m_baseLrs.front(); }
    // The global L2 norm of the gradients before clipping; clipped to maxNorm when maxNorm > 0
    // (torch.nn.utils.clip_grad_norm_).
    double clipGradients(double maxNorm);

    // Drops every gradient (LibTorch 2's zero_grad(), set_to_none): no fill of each gradient
    // before the next backward pass, whose first contribution then becomes the gradient as it
    // is (the accumulator takes the buffer) instead of being added to zeros.
    void clearGradients();

    torch::optim::AdamW &optimizer() { return *m_optimizer; }

private:
    AdamWSettings m_settings;
    double m_learningRate;
    std::unique_ptr<torch::optim::AdamW> m_optimizer;
    std::vector<double> m_baseLrs;           // per optimizer param group
    std::vector<torch::Tensor> m_parameters; // every optimised tensor (what is clipped)
    size_t m_strategyGroups = 0;             // strategy groups already in the optimizer
};

} // namespace ft
