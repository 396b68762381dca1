#include "train/weightsstrategy.h"

#include "ft/error.h"
#include "ft/model.h"
#include "model/modelimpl.h"
#include "train/trainerio.h"

#include <torch/torch.h>

#include <cmath>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

NamedTensors weightsNamed(Model &model, const std::vector<std::string> &names)
{
    auto &named = model.impl().weights.named;
    NamedTensors out;
    for (const auto &name : names) {
        auto it = named.find(name);
        if (it == named.end())
            throw Error(ErrorKind::Internal, "no weight named " + name);
        out.emplace_back(name, it->second);
    }
    return out;
}

WeightsStrategy::WeightsStrategy(Model &model, std::string basePath, std::vector<WeightsStage> stages)
    : m_model(model), m_basePath(std::move(basePath)), m_stages(std::move(stages))
{
    join(0);
}

void WeightsStrategy::join(size_t stage)
{
    m_groups.push_back(m_stages.at(stage).group);
    if (m_training)
        for (auto &[name, t] : m_groups.back().parameters)
            t.set_requires_grad(true);
}

void WeightsStrategy::setTraining(bool training)
{
    m_training = training;
    for (auto &group : m_groups)
        for (auto &[name, t] : group.parameters)
            t.set_requires_grad(training);
}

void WeightsStrategy::saveWeights(const fs::path &dir) const
{
    saveNamedTensors(dir / "model.safetensors", trainableParameters());
}

void WeightsStrategy::loadWeights(const fs::path &dir)
{
    loadTensorsInto(dir / "model.safetensors", trainableParameters());
}

void WeightsStrategy::writeFinal(const fs::path &dir) const
{
    writeFullModelFolder(dir, m_model, m_basePath);
}

bool WeightsStrategy::onStepBoundary(const StepBoundary &b, std::string &log)
{
    bool changed = false;
    while (m_groups.size() < m_stages.size()) {
        const WeightsStage &next = m_stages[m_groups.size()];
        const bool due = next.atEpoch > 0
                             ? b.epoch >= next.atEpoch
                             : b.stepsDone >= static_cast<int64_t>(std::floor(next.atFraction *
                                                                              double(b.totalSteps)));
        if (!due)
            break;
        join(m_groups.size());
        int64_t count = 0;
        for (const auto &[name, t] : m_groups.back().parameters)
            count += t.numel();
        log += (log.empty() ? "" : "; ") + std::string("stage ") + std::to_string(m_groups.size() - 1) +
               " joins: " + m_groups.back().label + " (+" + std::to_string(count) +
               " parameters, lr factor " + std::to_string(m_groups.back().lrFactor).substr(0, 6) +
               "; " + std::to_string(trainableParameterCount()) + " trainable)";
        changed = true;
    }
    return changed;
}

json WeightsStrategy::state() const
{
    if (m_stages.size() <= 1)
        return nullptr;
    return {{"stages_joined", m_groups.size() - 1}};
}

void WeightsStrategy::restoreState(const json &state)
{
    if (m_stages.size() <= 1)
        return;
    const size_t joined = state.is_object() ? state.value("stages_joined", size_t(0)) : 0;
    if (joined + 1 > m_stages.size())
        throwBadInput("the checkpoint has " + std::to_string(joined) +
                      " progressive stages joined, the configuration only " +
                      std::to_string(m_stages.size() - 1));
    while (m_groups.size() < joined + 1)
        join(m_groups.size());
}

} // namespace ft
