#include "train/preferencestep.h"

#include "ft/error.h"
#include "train/autocastscope.h"
#include "train/optimizergroups.h"

#include <torch/torch.h>

#include <cmath>

namespace ft {

StepOutcome preferenceStep(const Decoder &decoder, const std::vector<PairRefs> &microBatches,
                           const std::string &stage, const PreferenceOptions &options, OptimizerGroups &optimizer,
                           double lrFactor, double maxGradNorm, const std::string &device, int64_t stepNumber,
                           ReferenceCache *referenceCache)
{
    optimizer.scaleLearningRates(lrFactor);
    optimizer.clearGradients();
    size_t stepPairs = 0;
    for (const PairRefs &pairs : microBatches)
        stepPairs += pairs.size();
    StepOutcome outcome;
    for (const PairRefs &pairs : microBatches) {
        if (pairs.empty())
            continue;
        PreferenceLoss micro;
        {
            AutocastScope autocast(device);
            micro = stage == "dpo" ? dpoLoss(decoder, pairs, options, referenceCache)
                                   : orpoLoss(decoder, pairs, options);
        }
        const double share = static_cast<double>(pairs.size()) / static_cast<double>(stepPairs);
        torch::Tensor loss = micro.loss * share;
        loss.backward();
        outcome.loss += loss.item<double>();
        if (outcome.metrics.empty())
            for (const auto &[name, value] : micro.metrics)
                outcome.metrics.emplace_back(name, 0.0);
        for (size_t i = 0; i < micro.metrics.size(); ++i)
            outcome.metrics[i].second += micro.metrics[i].second * share;
    }
    if (!std::isfinite(outcome.loss))
        throw Error(ErrorKind::Internal,
                    "training stopped at step " + std::to_string(stepNumber) + ": the loss is " +
                        (std::isnan(outcome.loss) ? "NaN" : "infinite") +
                        " (try a lower learning_rate or beta, or check the data); the last checkpoint is intact");
    outcome.gradNorm = optimizer.clipGradients(maxGradNorm);
    optimizer.optimizer().step();
    optimizer.clearGradients();
    return outcome;
}

} // namespace ft
