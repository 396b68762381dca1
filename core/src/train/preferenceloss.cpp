#include "train/preferenceloss.h"

#include "model/decoder.h"
#include "train/linearcrossentropy.h"
#include "train/referencecache.h"

#include <torch/torch.h>

#include <cmath>

namespace ft {

namespace {

// The rows of one sequence in the flat batch that predict its answer (and its prompt).
struct SequenceRows
{
    torch::Tensor answerRows, answerTargets;
    torch::Tensor promptRows, promptTargets;  // positions 0 .. P-2 (ORPO's NLL)
    int64_t answerTokens = 0;
};

struct FlatPairs
{
    ForwardInputs inputs;
    std::vector<SequenceRows> sequences;  // chosen of every pair, then rejected of every pair
};

// Each pair is one forked segment (model/segmentfork.h), [prompt | chosen | rejected]: the
// prompt runs once for both answers, the rejected answer's positions continue from the prompt.
FlatPairs flattenPairs(const PairRefs &pairs, const torch::Device &device)
{
    FlatPairs flat;
    std::vector<int64_t> ids, positions;
    std::vector<SequenceRows> chosen, rejected;
    const auto indices = [&](const std::vector<int64_t> &v) {
        return torch::tensor(v, torch::kInt64).to(device);
    };
    const auto iota = [](int64_t from, int64_t count) {
        std::vector<int64_t> v(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i)
            v[static_cast<size_t>(i)] = from + i;
        return v;
    };
    for (const PreferencePair *pair : pairs) {
        const int64_t start = static_cast<int64_t>(ids.size());
        const int64_t p = static_cast<int64_t>(pair->prompt.size());
        const int64_t a1 = static_cast<int64_t>(pair->chosen.size());
        const int64_t a2 = static_cast<int64_t>(pair->rejected.size());
        for (const std::vector<int64_t> *part : {&pair->prompt, &pair->chosen, &pair->rejected})
            ids.insert(ids.end(), part->begin(), part->end());
        for (int64_t t = 0; t < p + a1; ++t)
            positions.push_back(t);
        for (int64_t t = p; t < p + a2; ++t)
            positions.push_back(t);
        flat.inputs.segments.push_back(p + a1 + a2);
        flat.inputs.forks.push_back(SegmentFork{p, a1});
        // The row that predicts an answer's token j: the prompt's last row for j = 0, then the
        // answer's own row j - 1 (the causal shift inside each sequence).
        SequenceRows c;
        c.answerTokens = a1;
        c.answerRows = indices(iota(start + p - 1, a1));
        c.answerTargets = indices(pair->chosen);
        c.promptRows = indices(iota(start, p - 1));
        c.promptTargets = indices(std::vector<int64_t>(pair->prompt.begin() + 1, pair->prompt.end()));
        chosen.push_back(std::move(c));
        SequenceRows r;
        r.answerTokens = a2;
        std::vector<int64_t> rows{start + p - 1};
        const std::vector<int64_t> own = iota(start + p + a1, a2 - 1);
        rows.insert(rows.end(), own.begin(), own.end());
        r.answerRows = indices(rows);
        r.answerTargets = indices(pair->rejected);
        rejected.push_back(std::move(r));
    }
    flat.sequences = std::move(chosen);  // chosen of every pair, then rejected of every pair
    for (SequenceRows &r : rejected)
        flat.sequences.push_back(std::move(r));
    const auto row = [&](const std::vector<int64_t> &v) {
        return torch::tensor(v, torch::kInt64).unsqueeze(0).to(device);
    };
    flat.inputs.ids = row(ids);
    flat.inputs.positions = row(positions);
    flat.inputs.allPositions = true;
    flat.inputs.hiddenOnly = true;
    return flat;
}

// sum of log p(target | row) over some rows of the final hidden states.
torch::Tensor logProbSum(const Decoder &decoder, const torch::Tensor &hidden, const torch::Tensor &rows,
                         const torch::Tensor &targets, bool useAdapters)
{
    if (rows.numel() == 0)
        return torch::zeros({}, hidden.options());
    const torch::Tensor picked = hidden.index_select(0, rows);
    const Projection &head = decoder.weights().lmHead;
    if (!useAdapters || (!head.lora && !head.ia3))  // the base lm_head
        return -linearCrossEntropySum(picked, head.weight, head.bias, targets);
    return -torch::nn::functional::cross_entropy(
        decoder.project(picked), targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
}

struct SequenceLogps
{
    torch::Tensor chosen, rejected;  // (B) summed answer log-probs
    torch::Tensor chosenTokens, rejectedTokens;  // (B) answer lengths
    torch::Tensor chosenPromptLogps;  // summed log-probs of the chosen sequences' prompt tokens
    int64_t chosenPredicted = 0;      // tokens the chosen sequences predict (prompt and answer)
};

SequenceLogps sequenceLogps(const Decoder &decoder, FlatPairs &flat, bool useAdapters, bool withPrompt)
{
    flat.inputs.useAdapters = useAdapters;
    const torch::Tensor hidden = decoder.forward(flat.inputs).squeeze(0);  // (N, C)
    const size_t b = flat.sequences.size() / 2;
    std::vector<torch::Tensor> sums;
    std::vector<double> lengths;
    for (const SequenceRows &s : flat.sequences) {
        sums.push_back(logProbSum(decoder, hidden, s.answerRows, s.answerTargets, useAdapters));
        lengths.push_back(static_cast<double>(s.answerTokens));
    }
    SequenceLogps out;
    const torch::Tensor all = torch::stack(sums);
    out.chosen = all.narrow(0, 0, static_cast<int64_t>(b));
    out.rejected = all.narrow(0, static_cast<int64_t>(b), static_cast<int64_t>(b));
    const torch::Tensor lengthTensor = torch::tensor(lengths, torch::kFloat64).to(all.device()).to(all.dtype());
    out.chosenTokens = lengthTensor.narrow(0, 0, static_cast<int64_t>(b));
    out.rejectedTokens = lengthTensor.narrow(0, static_cast<int64_t>(b), static_cast<int64_t>(b));
    if (withPrompt) {
        std::vector<torch::Tensor> prompts;
        for (size_t i = 0; i < b; ++i) {
            const SequenceRows &s = flat.sequences[i];
            prompts.push_back(logProbSum(decoder, hidden, s.promptRows, s.promptTargets, useAdapters));
            out.chosenPredicted += s.promptRows.numel() + s.answerTokens;
        }
        out.chosenPromptLogps = torch::stack(prompts).sum();
    }
    return out;
}

double meanOf(const torch::Tensor &t) { return t.detach().to(torch::kFloat64).mean().item<double>(); }

// The reward metrics both trainers log, from per-pair chosen / rejected rewards and log-probs.
std::vector<std::pair<std::string, double>> rewardMetrics(const torch::Tensor &chosenRewards,
                                                          const torch::Tensor &rejectedRewards,
                                                          const torch::Tensor &chosenLogps,
                                                          const torch::Tensor &rejectedLogps)
{
    return {{"rewards/chosen", meanOf(chosenRewards)},
            {"rewards/rejected", meanOf(rejectedRewards)},
            {"rewards/accuracies", meanOf((chosenRewards > rejectedRewards).to(torch::kFloat64))},
            {"rewards/margins", meanOf(chosenRewards - rejectedRewards)},
            {"logps/chosen", meanOf(chosenLogps)},
            {"logps/rejected", meanOf(rejectedLogps)}};
}

// log(1 - exp(x)) for x < 0, stable on both sides of -ln 2 (TRL's log1mexp).
torch::Tensor log1mexp(const torch::Tensor &x)
{
    return torch::where(x < -0.6931471805599453, torch::log1p(-torch::exp(x)), torch::log(-torch::expm1(x)));
}

// The reference's (B) chosen and rejected log-probs: the base without the adapter, no graph; with
// a cache, computed only for the pairs it does not hold yet.
std::pair<torch::Tensor, torch::Tensor> referenceLogps(const Decoder &decoder, const PairRefs &pairs,
                                                       FlatPairs &flat, ReferenceCache *cache)
{
    torch::NoGradGuard noGrad;
    if (!cache) {
        const SequenceLogps reference = sequenceLogps(decoder, flat, /*useAdapters=*/false, false);
        return {reference.chosen, reference.rejected};
    }
    const PairRefs missing = cache->missing(pairs);
    if (!missing.empty()) {
        FlatPairs subset = missing.size() == pairs.size()
                               ? flat
                               : flattenPairs(missing, decoder.weights().embed.device());
        const SequenceLogps reference = sequenceLogps(decoder, subset, /*useAdapters=*/false, false);
        cache->store(missing, reference.chosen, reference.rejected);
    }
    const torch::Tensor like = torch::empty({}, decoder.weights().embed.options());
    return cache->lookup(pairs, like);
}

} // namespace

PreferenceLoss dpoLoss(const Decoder &decoder, const PairRefs &pairs, const PreferenceOptions &options,
                       ReferenceCache *referenceCache)
{
    FlatPairs flat = flattenPairs(pairs, decoder.weights().embed.device());
    // First, so that what it allocates is freed before the policy pass keeps its activations.
    const auto reference = referenceLogps(decoder, pairs, flat, referenceCache);
    const SequenceLogps policy = sequenceLogps(decoder, flat, /*useAdapters=*/true, false);
    const torch::Tensor chosenRatio = policy.chosen - reference.first;
    const torch::Tensor rejectedRatio = policy.rejected - reference.second;
    const torch::Tensor logits = options.beta * (chosenRatio - rejectedRatio);
    torch::Tensor perPair;
    if (options.lossType == "robust") {
        const double eps = options.labelSmoothing;
        perPair = (-(1 - eps) * torch::log_sigmoid(logits) + eps * torch::log_sigmoid(-logits)) / (1 - 2 * eps);
    } else {
        perPair = -torch::log_sigmoid(logits);
    }
    PreferenceLoss out;
    out.loss = perPair.mean();
    out.metrics = rewardMetrics(options.beta * chosenRatio.detach(), options.beta * rejectedRatio.detach(),
                                policy.chosen, policy.rejected);
    return out;
}

PreferenceLoss orpoLoss(const Decoder &decoder, const PairRefs &pairs, const PreferenceOptions &options)
{
    FlatPairs flat = flattenPairs(pairs, decoder.weights().embed.device());
    const SequenceLogps policy = sequenceLogps(decoder, flat, /*useAdapters=*/true, /*withPrompt=*/true);
    const torch::Tensor chosen = policy.chosen / policy.chosenTokens;  // length-averaged
    const torch::Tensor rejected = policy.rejected / policy.rejectedTokens;
    const torch::Tensor logOdds = (chosen - rejected) - (log1mexp(chosen) - log1mexp(rejected));
    const torch::Tensor ratio = torch::log_sigmoid(logOdds);
    const torch::Tensor nll =
        -(policy.chosenPromptLogps + policy.chosen.sum()) / static_cast<double>(policy.chosenPredicted);
    PreferenceLoss out;
    out.loss = nll - (options.beta * ratio).mean();
    out.metrics = rewardMetrics(options.beta * chosen.detach(), options.beta * rejected.detach(), chosen, rejected);
    out.metrics.push_back({"nll_loss", nll.item<double>()});
    out.metrics.push_back({"log_odds_ratio", meanOf(ratio)});
    out.metrics.push_back({"log_odds_chosen", meanOf(logOdds)});
    return out;
}

int64_t preferenceTokenCount(const PairRefs &pairs)
{
    int64_t n = 0;
    for (const PreferencePair *p : pairs)
        n += 2 * static_cast<int64_t>(p->prompt.size()) + static_cast<int64_t>(p->chosen.size() + p->rejected.size());
    return n;
}

} // namespace ft
