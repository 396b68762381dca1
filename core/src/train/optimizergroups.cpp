#include "train/optimizergroups.h"

#include "train/trainablestrategy.h"

#include <torch/torch.h>

#include <cmath>

namespace ft {

OptimizerGroups::OptimizerGroups(const AdamWSettings &settings, double learningRate)
    : m_settings(settings), m_learningRate(learningRate)
{
}

void OptimizerGroups::addNewGroups(const TrainableStrategy &strategy)
{
    const auto &groups = strategy.groups();
    for (; m_strategyGroups < groups.size(); ++m_strategyGroups) {
        const TrainableGroup &group = groups[m_strategyGroups];
        m_settings.lr = m_learningRate * group.lrFactor;
        const size_t before = m_optimizer ? m_optimizer->param_groups().size() : 0;
        if (!m_optimizer)
            m_optimizer = AdamWFactory::create(group.parameters, m_settings);
        else
            AdamWFactory::addParameters(*m_optimizer, group.parameters, m_settings);
        // Base lrs are recorded here, not read back later: the schedule overwrites the groups'
        // lr every step.
        auto &added = m_optimizer->param_groups();
        for (size_t k = before; k < added.size(); ++k) {
            m_baseLrs.push_back(m_settings.lr);
            for (const auto &p : added[k].params())
                m_parameters.push_back(p);
        }
    }
}

void OptimizerGroups::scaleLearningRates(double factor)
{
    auto &groups = m_optimizer->param_groups();
    for (size_t i = 0; i < groups.size(); ++i)
        groups[i].options().set_lr(m_baseLrs[i] * factor);
}

double OptimizerGroups::clipGradients(double maxNorm)
{
    if (maxNorm > 0)
        return torch::nn::utils::clip_grad_norm_(m_parameters, maxNorm);
    torch::NoGradGuard noGrad;
    double sq = 0;
    for (const auto &p : m_parameters)
        if (p.grad().defined())
            sq += p.grad().pow(2).sum().item<double>();
    return std::sqrt(sq);
}

void OptimizerGroups::clearGradients()
{
    if (!m_optimizer)
        return;
    for (auto &group : m_optimizer->param_groups())
        for (auto &p : group.params())
            p.mutable_grad() = torch::Tensor();
}

} // namespace ft
