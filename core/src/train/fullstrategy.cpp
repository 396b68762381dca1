// strategy "full": every weight of the model trains (one group, in weights.named order).
#include "ft/model.h"
#include "ft/trainer.h"
#include "model/modelimpl.h"
#include "train/weightsstrategy.h"

#include <torch/torch.h>

namespace ft {

std::unique_ptr<TrainableStrategy> makeFullStrategy(const TrainingConfig &config, Model &model,
                                                    std::vector<std::string> &)
{
    WeightsStage stage;
    for (auto &[name, tensor] : model.impl().weights.named)
        stage.group.parameters.emplace_back(name, tensor);
    stage.group.label = "every weight";
    return std::make_unique<WeightsStrategy>(model, config.model, std::vector<WeightsStage>{stage});
}

} // namespace ft
