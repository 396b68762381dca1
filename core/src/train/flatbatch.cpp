#include "train/flatbatch.h"

#include "ft/error.h"
#include "model/decoder.h"
#include "train/causallmloss.h"
#include "train/linearcrossentropy.h"

#include <torch/torch.h>

#include <algorithm>

namespace ft {

FlatBatch flattenExamples(const ExampleRefs &examples)
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

int64_t tokenCount(const ExampleRefs &examples)
{
    int64_t n = 0;
    for (const Example *ex : examples)
        n += static_cast<int64_t>(ex->ids.size());
    return n;
}

int64_t lossTokenCount(const ExampleRefs &examples)
{
    int64_t n = 0;
    for (const Example *ex : examples)
        for (size_t t = 1; t < ex->labels.size(); ++t)
            n += ex->labels[t] != kIgnoreIndex;
    return n;
}

namespace {

torch::Tensor flatLossSum(const Decoder &decoder, const ExampleRefs &examples)
{
    FlatBatch batch = flattenExamples(examples);
    if (batch.lossRows.numel() == 0)
        return {};
    const torch::Device device = decoder.weights().embed.device();  // the trainer's device
    if (!device.is_cpu())
        for (torch::Tensor *t : {&batch.ids, &batch.positions, &batch.lossRows, &batch.targets})
            *t = t->to(device);
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

// Right-padded (B, T) with attention mask; the pad id is irrelevant (masked, label -100).
torch::Tensor paddedLossSum(const Decoder &decoder, const ExampleRefs &examples)
{
    size_t width = 0;
    for (const Example *ex : examples)
        width = std::max(width, ex->ids.size());
    const int64_t b = static_cast<int64_t>(examples.size()), t = static_cast<int64_t>(width);
    torch::Tensor ids = torch::zeros({b, t}, torch::kLong);
    torch::Tensor labels = torch::full({b, t}, kIgnoreIndex, torch::kLong);
    torch::Tensor mask = torch::zeros({b, t}, torch::kLong);
    for (int64_t i = 0; i < b; ++i) {
        const Example &ex = *examples[i];
        const int64_t n = static_cast<int64_t>(ex.ids.size());
        ids[i].narrow(0, 0, n).copy_(torch::tensor(ex.ids, torch::kLong));
        labels[i].narrow(0, 0, n).copy_(torch::tensor(ex.labels, torch::kLong));
        mask[i].narrow(0, 0, n).fill_(1);
    }
    const int64_t lossTokens = countLossTokens(labels);
    if (lossTokens == 0)
        return {};
    const torch::Device device = decoder.weights().embed.device();  // the trainer's device
    ForwardInputs inputs;
    inputs.ids = ids.to(device);
    inputs.allPositions = true;
    inputs.attentionMask = mask.to(device);
    labels = labels.to(device);
    return causalLmLoss(decoder.forward(inputs), labels) * static_cast<double>(lossTokens);
}

} // namespace

torch::Tensor batchLossSum(const Decoder &decoder, const ExampleRefs &examples)
{
    if (decoder.virtualTokenCount(true) > 0)
        return paddedLossSum(decoder, examples);
    return flatLossSum(decoder, examples);
}

} // namespace ft
