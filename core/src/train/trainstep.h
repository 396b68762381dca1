// One optimisation step of causal-LM fine-tuning, in the order transformers' Trainer does it:
// set the scheduled lr, forward, ForCausalLMLoss, backward, clip the global gradient norm,
// optimizer step, zero the gradients. Gradient accumulation and mixed precision come later.
#pragma once

#include "model/decoder.h"
#include "train/lrschedule.h"

#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <vector>

namespace ft {

struct TrainBatch
{
    torch::Tensor ids;            // (B, T) int64
    torch::Tensor labels;         // (B, T) int64, -100 where no loss is taken; undefined: ids
    torch::Tensor attentionMask;  // (B, T), 0 = padding; optional
};

struct TrainStepResult
{
    double loss = 0.0;
    double gradNorm = 0.0;  // global L2 norm before clipping (what the Trainer logs)
    double lr = 0.0;        // the lr this step used (group 0)
    int64_t step = 0;       // 0-based index of the step just taken
};

class TrainStep
{
public:
    // The base lr of each of the optimizer's groups is read now; step s uses base *
    // schedule.factor(s). maxGradNorm <= 0: no clipping. `parameters`: what is clipped (all the
    // optimizer's tensors). The decoder and optimizer must outlive this object.
    TrainStep(const Decoder &decoder, torch::optim::Optimizer &optimizer, LrSchedule schedule,
              double maxGradNorm);

    TrainStepResult run(const TrainBatch &batch);
    int64_t nextStep() const { return m_step; }

private:
    const Decoder &m_decoder;
    torch::optim::Optimizer &m_optimizer;
    LrSchedule m_schedule;
    double m_maxGradNorm;
    std::vector<double> m_baseLrs;
    std::vector<torch::Tensor> m_parameters;
    int64_t m_step = 0;
};

} // namespace ft
