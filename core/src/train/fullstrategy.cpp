// strategy "full": every weight of the model trains (one group, in weights.named order).
#include "train/trainablestrategy.h"

#include "ft/model.h"
#include "ft/trainer.h"
#include "model/modelimpl.h"
#include "train/trainerio.h"

#include <torch/torch.h>

namespace fs = std::filesystem;

namespace ft {
namespace {

class FullStrategy : public TrainableStrategy
{
public:
    FullStrategy(Model &model, std::string basePath) : m_model(model), m_basePath(std::move(basePath))
    {
        TrainableGroup group;
        for (auto &[name, tensor] : model.impl().weights.named)
            group.parameters.emplace_back(name, tensor);
        group.label = "every weight";
        m_groups.push_back(std::move(group));
    }

    void setTraining(bool training) override
    {
        for (auto &[name, t] : m_groups.front().parameters)
            t.set_requires_grad(training);
    }
    void saveWeights(const fs::path &dir) const override
    {
        saveNamedTensors(dir / "model.safetensors", m_groups.front().parameters);
    }
    void loadWeights(const fs::path &dir) override
    {
        loadTensorsInto(dir / "model.safetensors", m_groups.front().parameters);
    }
    void writeFinal(const fs::path &dir) const override
    {
        writeFullModelFolder(dir, m_model, m_basePath);
    }

private:
    Model &m_model;
    std::string m_basePath;
};

} // namespace

std::unique_ptr<TrainableStrategy> makeFullStrategy(const TrainingConfig &config, Model &model,
                                                    std::vector<std::string> &)
{
    return std::make_unique<FullStrategy>(model, config.model);
}

} // namespace ft
