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
    for (const auto &c : continuations)
        if (c.empty())
            throw Error(ErrorKind::Internal, "choice scoring needs non-empty continuations");
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
    std::vector<ChoiceResult> results = scoreFromContext(last, cache, contextLength, continuations);
    m_prefixIds = context;
    m_prefix = std::move(cache);
    return results;
}

std::vector<std::vector<ChoiceResult>>
ChoiceScorer::scoreBatch(const std::vector<Query> &queries)
{
    if (queries.size() == 1)
        return {score(*queries[0].context, *queries[0].continuations)};
    std::vector<std::vector<ChoiceResult>> results;
    if (queries.empty())
        return results;
    for (const Query &q : queries) {
        if (q.context->empty())
            throw Error(ErrorKind::Internal, "choice scoring needs a non-empty context");
        for (const auto &c : *q.continuations)
            if (c.empty())
                throw Error(ErrorKind::Internal, "choice scoring needs non-empty continuations");
    }
    // The prefix every context shares, leaving each at least its last token to run (its logits
    // score the continuations' first tokens).
    const std::vector<int32_t> &first = *queries[0].context;
    size_t shared = first.size() - 1, longest = 0;
    for (const Query &q : queries) {
        const std::vector<int32_t> &c = *q.context;
        size_t n = 0;
        while (n < shared && n < c.size() && c[n] == first[n])
            ++n;
        shared = std::min(n, c.size() - 1);
        longest = std::max(longest, c.size());
    }
    size_t reused = 0;
    while (reused < m_prefixIds.size() && reused < shared && m_prefixIds[reused] == first[reused])
        ++reused;

    // The shared prefix's cache (batch 1): the kept one up to `reused`, extended to `shared`.
    KvCache prefix = m_prefixIds.empty()
                         ? m_decoder.newCache(1, m_virtualTokens + static_cast<int64_t>(shared))
                         : copyCache(m_decoder, m_prefix, m_virtualTokens + static_cast<int64_t>(reused),
                                     1, m_virtualTokens + static_cast<int64_t>(shared));
    if (shared > reused) {
        ForwardInputs in;
        in.ids = idsTensor(std::vector<int32_t>(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(shared)), reused);
        in.cache = &prefix;
        in.useAdapters = m_useAdapters;
        m_decoder.forward(in);
        m_forwardTokens += static_cast<int64_t>(shared - reused);
    }
    // The rest of every context, right-padded: a real token never attends to the padding after
    // it (causal), and each row's logits are read at its own last token.
    const int64_t B = static_cast<int64_t>(queries.size());
    const int64_t T = static_cast<int64_t>(longest - shared);
    const int64_t virtualNow = prefix.length == 0 ? m_virtualTokens : 0; // added by this pass
    KvCache batch = copyCache(m_decoder, prefix, prefix.length, B, prefix.length + virtualNow + T);
    torch::Tensor ids = torch::zeros({B, T}, torch::kInt64);
    auto idsAccess = ids.accessor<int64_t, 2>();
    std::vector<int64_t> lastIndex(queries.size());
    for (int64_t b = 0; b < B; ++b) {
        const std::vector<int32_t> &c = *queries[static_cast<size_t>(b)].context;
        for (size_t t = shared; t < c.size(); ++t)
            idsAccess[b][static_cast<int64_t>(t - shared)] = c[t];
        lastIndex[static_cast<size_t>(b)] = static_cast<int64_t>(c.size() - shared) - 1;
        m_forwardTokens += static_cast<int64_t>(c.size() - shared);
    }
    ForwardInputs in;
    in.ids = ids;
    in.cache = &batch;
    in.allPositions = true;
    in.hiddenOnly = true;
    in.useAdapters = m_useAdapters;
    const torch::Tensor hidden = m_decoder.forward(in); // (B, T, C)
    const int64_t C = hidden.size(2);
    const torch::Tensor lastHidden =
        hidden.gather(1, torch::tensor(lastIndex, torch::kInt64).view({B, 1, 1}).expand({B, 1, C}))
            .squeeze(1); // (B, C)
    const torch::Tensor last = torch::log_softmax(m_decoder.project(lastHidden), -1); // (B, V)

    results.reserve(queries.size());
    for (int64_t b = 0; b < B; ++b) {
        const Query &q = queries[static_cast<size_t>(b)];
        KvCache row; // a view of row b, valid up to this context's end
        for (size_t layer = 0; layer < batch.keys.size(); ++layer) {
            row.keys.push_back(batch.keys[layer].narrow(0, b, 1));
            row.values.push_back(batch.values[layer].narrow(0, b, 1));
        }
        row.capacity = batch.capacity;
        const int64_t contextLength = m_virtualTokens + static_cast<int64_t>(q.context->size());
        row.length = contextLength;
        results.push_back(scoreFromContext(last[b].contiguous(), row, contextLength, *q.continuations));
    }
    m_prefixIds.assign(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(shared));
    m_prefix = std::move(prefix);
    if (m_prefix.length == 0)
        m_prefixIds.clear(); // nothing cached (no shared prefix): the next context runs in full
    return results;
}

std::vector<ChoiceResult>
ChoiceScorer::scoreFromContext(const torch::Tensor &last, const KvCache &cache, int64_t contextLength,
                               const std::vector<std::vector<int32_t>> &continuations)
{
    size_t longest = 0;
    for (const auto &c : continuations)
        longest = std::max(longest, c.size());
    std::vector<ChoiceResult> results(continuations.size());
    const int64_t lastArgmax = last.argmax().item<int64_t>();
    const float *lastData = last.data_ptr<float>();
    const int64_t vocab = last.size(0);
    std::vector<size_t> longer; // continuations of two or more tokens
    for (size_t i = 0; i < continuations.size(); ++i) {
        const int32_t firstToken = continuations[i][0];
        if (firstToken < 0 || firstToken >= vocab)
            throwBadInput("token id " + std::to_string(firstToken) +
                          " is outside the model's vocabulary");
        results[i].logLikelihood = lastData[firstToken];
        results[i].isGreedy = lastArgmax == firstToken;
        results[i].tokenCount = static_cast<int>(continuations[i].size());
        if (continuations[i].size() > 1)
            longer.push_back(i);
    }
    if (!longer.empty())
        scoreLongerContinuations(cache, contextLength, continuations, longer, longest, results);
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
