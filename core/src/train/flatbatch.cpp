#include "train/flatbatch.h"

#include "ft/error.h"
#include "model/decoder.h"
#include "train/causallmloss.h"
#include "train/linearcrossentropy.h"

#include <torch/torch.h>

namespace ft {

FlatBatch flattenExamples(const std::vector<const Example *> &examples)
{
    FlatBatch batch;
    std::vector<int64_t> ids, positions, lossRows, targets;
    for (const Example *ex : examples) {
        const int64_t start = static_cast<int64_t>(ids.size());
        const int64_t length = static_cast<int64_t>(ex->ids.size());
        if (length == 0)
            throw Error(ErrorKind::Internal, "flattenExamples: an empty example");
        for (int64_t t = 0; t < length; ++t) {
            ids.push_back(ex->ids[t]);
            positions.push_back(t);
            // Causal-LM shift inside the example: position t predicts label t + 1.
            if (t + 1 < length && ex->labels[t + 1] != kIgnoreIndex) {
                lossRows.push_back(start + t);
                targets.push_back(ex->labels[t + 1]);
            }
        }
        batch.segments.push_back(length);
    }
    batch.tokens = static_cast<int64_t>(ids.size());
    const auto asTensor = [](const std::vector<int64_t> &v) {
        return torch::tensor(v, torch::kInt64);
    };
    batch.ids = asTensor(ids).unsqueeze(0);
    batch.positions = asTensor(positions).unsqueeze(0);
    batch.lossRows = asTensor(lossRows);
    batch.targets = asTensor(targets);
    return batch;
}

torch::Tensor flatBatchLossSum(const Decoder &decoder, const FlatBatch &batch)
{
    if (batch.lossRows.numel() == 0)
        return {};
    ForwardInputs inputs;
    inputs.ids = batch.ids;
    inputs.positions = batch.positions;
    inputs.segments = batch.segments;
    inputs.allPositions = true;
    inputs.hiddenOnly = true;
    const torch::Tensor hidden = decoder.forward(inputs).squeeze(0);  // (N, C)
    const torch::Tensor rows = hidden.index_select(0, batch.lossRows);
    const Projection &head = decoder.weights().lmHead;
    if (!head.lora)
        return linearCrossEntropySum(rows, head.weight, head.bias, batch.targets);
    return torch::nn::functional::cross_entropy(
        decoder.project(rows), batch.targets,
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
}

} // namespace ft
