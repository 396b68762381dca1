#include "eval/choicescorer.h"

#include "ft/error.h"

#include <torch/torch.h>

#include <algorithm>

namespace ft {

namespace {

torch::Tensor idsTensor(const std::vector<int32_t> &ids, size_t begin)
{
    std::vector<int64_t> v(ids.begin() + static_cast<std::ptrdiff_t>(begin), ids.end());
    return torch::tensor(v, torch::kInt64).unsqueeze(0); // (1, T)
}

// The first `length` positions of `from` (batch 1) into every row of a new cache.
KvCache copyCache(const Decoder &decoder, const KvCache &from, int64_t length, int64_t batch,
                  int64_t capacity)
{
    KvCache cache = decoder.newCache(batch, capacity);
    if (length > 0)
        for (size_t layer = 0; layer < cache.keys.size(); ++layer) {
            cache.keys[layer].narrow(2, 0, length).copy_(from.keys[layer].narrow(2, 0, length));
            cache.values[layer].narrow(2, 0, length).copy_(from.values[layer].narrow(2, 0, length));
        }
    cache.length = length;
    return cache;
}

} // namespace

ChoiceScorer::ChoiceScorer(const Decoder &decoder, bool useAdapters)
    : m_decoder(decoder), m_useAdapters(useAdapters),
      m_virtualTokens(decoder.virtualTokenCount(useAdapters))
{
}

void ChoiceScorer::clearCache()
{
    m_prefixIds.clear();
    m_prefix = KvCache();
}

std::vector<ChoiceResult>
ChoiceScorer::score(const std::vector<int32_t> &context,
                    const std::vector<std::vector<int32_t>> &continuations)
{
    if (context.empty())
        throw Error(ErrorKind::Internal, "choice scoring needs a non-empty context");
    size_t longest = 0;
    for (const auto &c : continuations) {
        if (c.empty())
            throw Error(ErrorKind::Internal, "choice scoring needs non-empty continuations");
        longest = std::max(longest, c.size());
    }
    // Reuse the prefix's cache up to the longest common prefix, but run at least the context's
    // last token: its logits score every continuation's first token.
    size_t reused = 0;
    while (reused < m_prefixIds.size() && reused < context.size() &&
           m_prefixIds[reused] == context[reused])
        ++reused;
    reused = std::min(reused, context.size() - 1);
    const int64_t contextLength = m_virtualTokens + static_cast<int64_t>(context.size());
    KvCache cache;
    if (m_prefixIds.empty())
        cache = m_decoder.newCache(1, contextLength);
    else
        cache = copyCache(m_decoder, m_prefix, m_virtualTokens + static_cast<int64_t>(reused), 1,
                          contextLength);
    ForwardInputs in;
    in.ids = idsTensor(context, reused);
    in.cache = &cache;
    in.useAdapters = m_useAdapters;
    const torch::Tensor last = torch::log_softmax(m_decoder.forward(in).view({-1}), -1); // (V)
    m_forwardTokens += static_cast<int64_t>(context.size() - reused);

    std::vector<ChoiceResult> results(continuations.size());
    const int64_t lastArgmax = last.argmax().item<int64_t>();
    const float *lastData = last.data_ptr<float>();
    const int64_t vocab = last.size(0);
    std::vector<size_t> longer; // continuations of two or more tokens
    for (size_t i = 0; i < continuations.size(); ++i) {
        const int32_t first = continuations[i][0];
        if (first < 0 || first >= vocab)
            throwBadInput("token id " + std::to_string(first) +
                          " is outside the model's vocabulary");
        results[i].logLikelihood = lastData[first];
        results[i].isGreedy = lastArgmax == first;
        results[i].tokenCount = static_cast<int>(continuations[i].size());
        if (continuations[i].size() > 1)
            longer.push_back(i);
    }
    if (!longer.empty())
        scoreLongerContinuations(cache, contextLength, continuations, longer, longest, results);
    m_prefixIds = context;
    m_prefix = std::move(cache);
    return results;
}

void ChoiceScorer::scoreLongerContinuations(const KvCache &cache, int64_t contextLength,
                                            const std::vector<std::vector<int32_t>> &continuations,
                                            const std::vector<size_t> &longer, size_t longest,
                                            std::vector<ChoiceResult> &results)
{

    // The rest of the longer continuations in one batch over copies of the context's cache;
    // right padding is never attended by the real tokens before it (causal).
    const int64_t vocab = m_decoder.config().vocabSize;
    const int64_t B = static_cast<int64_t>(longer.size());
    const int64_t T = static_cast<int64_t>(longest) - 1;
    KvCache batch = copyCache(m_decoder, cache, contextLength, B, contextLength + T);
    torch::Tensor ids = torch::zeros({B, T}, torch::kInt64); // (B, T)
    auto idsAccess = ids.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
        const auto &c = continuations[longer[b]];
        for (size_t t = 0; t + 1 < c.size(); ++t)
            idsAccess[b][static_cast<int64_t>(t)] = c[t];
    }
    ForwardInputs rest;
    rest.ids = ids;
    rest.cache = &batch;
    rest.allPositions = true;
    rest.useAdapters = m_useAdapters;
    const torch::Tensor logProbs =
        torch::log_softmax(m_decoder.forward(rest), -1).contiguous(); // (B, T, V)
    const torch::Tensor argmax = logProbs.argmax(-1);                 // (B, T)
    m_forwardTokens += B * T;
    auto lp = logProbs.accessor<float, 3>();
    auto am = argmax.accessor<int64_t, 2>();
    for (int64_t b = 0; b < B; ++b) {
        const auto &c = continuations[longer[b]];
        ChoiceResult &r = results[longer[b]];
        for (size_t t = 1; t < c.size(); ++t) {
            if (c[t] < 0 || c[t] >= vocab)
                throwBadInput("token id " + std::to_string(c[t]) +
                              " is outside the model's vocabulary");
            r.logLikelihood += lp[b][static_cast<int64_t>(t) - 1][c[t]];
            r.isGreedy = r.isGreedy && am[b][static_cast<int64_t>(t) - 1] == c[t];
        }
    }
}

} // namespace ft
