// The strategies that train base weights in place (full, freeze, progressive): stages of named
// tensors, stage 0 from the start and the others joining when their trigger is reached.
// Checkpoints hold the trainable tensors (model.safetensors); the final folder is the whole
// model (a loadable Hugging Face folder).
#pragma once

#include "train/trainablestrategy.h"

namespace ft {

struct WeightsStage
{
    TrainableGroup group;
    int64_t atEpoch = -1;      // joins once this many epochs are done, or
    double atFraction = -1.0;  // once floor(at_fraction * total steps) steps are done
};

class WeightsStrategy : public TrainableStrategy
{
public:
    // `stages` (stage 0 trains from the start) hold tensors of model's weights.
    WeightsStrategy(Model &model, std::string basePath, std::vector<WeightsStage> stages);

    void setTraining(bool training) override;
    void saveWeights(const std::filesystem::path &dir) const override;
    void loadWeights(const std::filesystem::path &dir) override;
    void writeFinal(const std::filesystem::path &dir) const override;
    bool onStepBoundary(const StepBoundary &boundary, std::string &log) override;
    nlohmann::json state() const override;
    void restoreState(const nlohmann::json &state) override;

private:
    void join(size_t stage);

    Model &m_model;
    std::string m_basePath;
    std::vector<WeightsStage> m_stages;
    bool m_training = false;
};

// The model's weights by name, as TrainableGroup parameters (order of `names`).
NamedTensors weightsNamed(Model &model, const std::vector<std::string> &names);

} // namespace ft
