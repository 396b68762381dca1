#include "train/trainstep.h"

#include "ft/error.h"
#include "train/causallmloss.h"

#include <torch/torch.h>

namespace ft {

TrainStep::TrainStep(const Decoder &decoder, torch::optim::Optimizer &optimizer,
                     LrSchedule schedule, double maxGradNorm)
    : m_decoder(decoder), m_optimizer(optimizer), m_schedule(schedule),
      m_maxGradNorm(maxGradNorm)
{
    for (auto &group : m_optimizer.param_groups()) {
        m_baseLrs.push_back(group.options().get_lr());
        for (const auto &p : group.params())
            m_parameters.push_back(p);
    }
}

TrainStepResult TrainStep::run(const TrainBatch &batch)
{
    TrainStepResult result;
    result.step = m_step;
    const double factor = m_schedule.factor(m_step);
    auto &groups = m_optimizer.param_groups();
    for (size_t i = 0; i < groups.size(); ++i)
        groups[i].options().set_lr(m_baseLrs[i] * factor);
    result.lr = groups.empty() ? 0.0 : m_baseLrs[0] * factor;

    m_optimizer.zero_grad();
    ForwardInputs inputs;
    inputs.ids = batch.ids;
    inputs.allPositions = true;
    inputs.attentionMask = batch.attentionMask;
    torch::Tensor logits = m_decoder.forward(inputs);
    torch::Tensor loss = causalLmLoss(logits, batch.labels.defined() ? batch.labels : batch.ids);
    loss.backward();
    result.loss = loss.item<double>();
    if (m_maxGradNorm > 0.0) {
        result.gradNorm = torch::nn::utils::clip_grad_norm_(m_parameters, m_maxGradNorm);
    } else {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> norms;
        for (const auto &p : m_parameters)
            if (p.grad().defined())
                norms.push_back(p.grad().norm());
        result.gradNorm = norms.empty() ? 0.0 : torch::stack(norms).norm().item<double>();
    }
    m_optimizer.step();
    m_optimizer.zero_grad();
    ++m_step;
    return result;
}

} // namespace ft
