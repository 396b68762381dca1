// strategy "freeze": the weights of the chosen blocks / modules / extra parts / name patterns
// train; everything else stays frozen (train/partselection.h decides).
#include "ft/model.h"
#include "ft/modelstructure.h"
#include "ft/trainer.h"
#include "train/partselection.h"
#include "train/weightsstrategy.h"

#include <torch/torch.h>

namespace ft {

std::unique_ptr<TrainableStrategy> makeFreezeStrategy(const TrainingConfig &config, Model &model,
                                                      std::vector<std::string> &problems)
{
    const size_t before = problems.size();
    std::vector<std::string> names = freezeSelection(config, describeModel(model), problems);
    if (problems.size() != before)
        return nullptr;
    WeightsStage stage;
    stage.group.parameters = weightsNamed(model, names);
    stage.group.label = "freeze selection";
    return std::make_unique<WeightsStrategy>(model, config.model, std::vector<WeightsStage>{stage});
}

std::unique_ptr<TrainableStrategy> makeProgressiveStrategy(const TrainingConfig &config, Model &model,
                                                           std::vector<std::string> &problems)
{
    const size_t before = problems.size();
    const auto resolved = progressiveStages(config.progressive, describeModel(model), problems);
    if (problems.size() != before)
        return nullptr;
    std::vector<WeightsStage> stages;
    for (const auto &r : resolved) {
        WeightsStage stage;
        stage.group.parameters = weightsNamed(model, r.names);
        stage.group.lrFactor = r.lrFactor;
        stage.group.label = "blocks " + describeBlocks(r.blocks);
        stage.atEpoch = r.atEpoch;
        stage.atFraction = r.atFraction;
        stages.push_back(std::move(stage));
    }
    return std::make_unique<WeightsStrategy>(model, config.model, std::move(stages));
}

} // namespace ft
