#include "train/accumulatedstep.h"

#include "dist/dataparallel.h"
#include "dist/overlappedgradientsum.h"
#include "dist/zerostage1.h"
#include "ft/error.h"
#include "model/decoder.h"
#include "train/autocastscope.h"
#include "train/optimizergroups.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <optional>

namespace ft {

namespace {

// FT_DIST_OVERLAP=0: the gradient sum after the backward pass instead of during it (to measure
// what the overlap gains, bench/bench_dataparallel.py).
bool overlapGradientSum()
{
    const char *text = std::getenv("FT_DIST_OVERLAP");
    return !(text && std::string(text) == "0");
}

} // namespace

StepOutcome accumulatedStep(const Decoder &decoder, const std::vector<ExampleRefs> &microBatches,
                            int64_t lossTokens, OptimizerGroups &optimizer, double lrFactor,
                            double maxGradNorm, const std::string &device, int64_t stepNumber,
                            DataParallel *dataParallel, ZeroStage1 *zero)
{
    optimizer.scaleLearningRates(lrFactor);
    optimizer.clearGradients();
    StepOutcome outcome;
    std::vector<torch::Tensor> parameters;
    if (dataParallel)
        for (const auto &group : optimizer.optimizer().param_groups())
            for (const auto &p : group.params())
                parameters.push_back(p);
    // The gradient sum over the ranks starts during the last micro-batch's backward pass.
    std::optional<OverlappedGradientSum> gradientSum;
    static const bool overlap = overlapGradientSum();
    for (size_t i = 0; i < microBatches.size(); ++i) {
        const ExampleRefs &rows = microBatches[i];
        if (dataParallel && overlap && i + 1 == microBatches.size())
            gradientSum.emplace(*dataParallel, parameters, DataParallel::kBucketBytes);
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
        if (!gradientSum)  // no micro-batch on this rank (or no overlap)
            gradientSum.emplace(*dataParallel, parameters, DataParallel::kBucketBytes);
        gradientSum->finish();  // every rank alike, also when the loss is not finite (stops below)
        outcome.loss = dataParallel->sumOverRanks({outcome.loss}).front();
    }
    if (!std::isfinite(outcome.loss))
        throw Error(ErrorKind::Internal,
                    "training stopped at step " + std::to_string(stepNumber) + ": the loss is " +
                        (std::isnan(outcome.loss) ? "NaN" : "infinite") +
                        " (try a lower learning_rate or check the data); the last checkpoint is intact");
    outcome.gradNorm = optimizer.clipGradients(maxGradNorm);
    if (zero)
        zero->dropOthersGradients(optimizer.optimizer());
    optimizer.optimizer().step();
    if (zero)
        zero->shareUpdatedParameters(optimizer.optimizer());
    optimizer.clearGradients();
    return outcome;
}

} // namespace ft
