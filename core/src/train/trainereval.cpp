// The validation loss of a run: the held-out examples in batches of per_device_train_batch_size,
// token-weighted like the training loss, without gradients. Under torchrun each rank takes every
// worldSize-th batch and the sums are added up over the ranks.
#include "dist/dataparallel.h"
#include "model/modelimpl.h"
#include "train/autocastscope.h"
#include "train/flatbatch.h"
#include "train/trainerimpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ft {

double Trainer::Impl::evaluate(int64_t &tokens) const
{
    torch::NoGradGuard noGrad;
    AutocastScope autocast(device);
    double sum = 0.0;
    tokens = 0;
    const size_t bs = static_cast<size_t>(config.perDeviceTrainBatchSize);
    // pt: the packed validation rows; sft: one example per row.
    const size_t units = packedEvalRows.empty() ? evalExamples.size() : packedEvalRows.size();
    const size_t share = static_cast<size_t>(worldSize());
    for (size_t start = static_cast<size_t>(rank()) * bs; start < units; start += bs * share) {
        ExampleRefs rows;
        for (size_t u = start; u < std::min(units, start + bs); ++u) {
            if (packedEvalRows.empty())
                rows.push_back(&evalExamples[u]);
            else
                for (int64_t i : packedEvalRows[u])
                    rows.push_back(&evalExamples[static_cast<size_t>(i)]);
        }
        const torch::Tensor lossSum = batchLossSum(*model->impl().decoder, rows);
        if (!lossSum.defined())
            continue;
        sum += lossSum.item<double>();
        tokens += lossTokenCount(rows);
    }
    if (dataParallel) {
        const std::vector<double> all = dataParallel->sumOverRanks({sum, static_cast<double>(tokens)});
        sum = all[0];
        tokens = static_cast<int64_t>(all[1]);
    }
    return tokens > 0 ? sum / static_cast<double>(tokens) : std::nan("");
}

} // namespace ft
