#include "train/accumulatedstep.h"

#include "dist/dataparallel.h"
#include "ft/error.h"
#include "model/decoder.h"
#include "train/autocastscope.h"
#include "train/optimizergroups.h"

#include <torch/torch.h>

#include <cmath>

namespace ft {

StepOutcome accumulatedStep(const Decoder &decoder, const std::vector<ExampleRefs> &microBatches,
                            int64_t lossTokens, OptimizerGroups &optimizer, double lrFactor,
                            double maxGradNorm, const std::string &device, int64_t stepNumber,
                            DataParallel *dataParallel)
{
    optimizer.scaleLearningRates(lrFactor);
    optimizer.optimizer().zero_grad();
    StepOutcome outcome;
    for (const ExampleRefs &rows : microBatches) {
        torch::Tensor lossSum;
        {
            AutocastScope autocast(device);
            lossSum = batchLossSum(decoder, rows);
        }
        if (!lossSum.defined())
            continue;
        // transformers' num_items_in_batch: each micro-batch's summed loss over the tokens of
        // the whole optimiser step.
        torch::Tensor loss = lossSum / static_cast<double>(lossTokens);
        loss.backward();
        outcome.loss += loss.item<double>();
    }
    if (dataParallel) {
        outcome.loss = dataParallel->sumOverRanks({outcome.loss}).front();
        if (std::isfinite(outcome.loss)) {  // else every rank stops below, before any update
            std::vector<torch::Tensor> parameters;
            for (const auto &group : optimizer.optimizer().param_groups())
                for (const auto &p : group.params())
                    parameters.push_back(p);
            dataParallel->sumGradients(parameters);
        }
    }
    if (!std::isfinite(outcome.loss))
        throw Error(ErrorKind::Internal,
                    "training stopped at step " + std::to_string(stepNumber) + ": the loss is " +
                        (std::isnan(outcome.loss) ? "NaN" : "infinite") +
                        " (try a lower learning_rate or check the data); the last checkpoint is intact");
    outcome.gradNorm = optimizer.clipGradients(maxGradNorm);
    optimizer.optimizer().step();
    optimizer.optimizer().zero_grad();
    return outcome;
}

} // namespace ft
