// Log-likelihoods of answer continuations after a context, as lm-evaluation-harness computes them
// for Hugging Face causal models (sum of log-softmax over the continuation's tokens, is_greedy),
// reusing KV caches: the scorer keeps the previous context's cache, so a question runs only the
// tokens after its longest common prefix with the previous one (a subject's description and
// few-shot examples are computed once), and its choices share the question's cache. Internal
// (torch).
#pragma once

#include "ft/benchmarkeval.h"
#include "model/decoder.h"
#include "model/kvcache.h"

#include <cstdint>
#include <vector>

namespace ft {

class ChoiceScorer
{
public:
    ChoiceScorer(const Decoder &decoder, bool useAdapters);

    // Forgets the kept cache (the next context runs in full).
    void clearCache();
    // One result per continuation. `context` must not be empty; continuations must not be
    // empty.
    std::vector<ChoiceResult> score(const std::vector<int32_t> &context,
                                    const std::vector<std::vector<int32_t>> &continuations);
    // Several contexts at once (a subject's questions): their common prefix runs once, the rest
    // as one right-padded batch over copies of its cache, so the model's matrix products see
    // many rows instead of one question's. Results equal score() per context (float error).
    struct Query
    {
        const std::vector<int32_t> *context;
        const std::vector<std::vector<int32_t>> *continuations;
    };
    std::vector<std::vector<ChoiceResult>> scoreBatch(const std::vector<Query> &queries);
    // Tokens run through the model so far (prefixes included).
    int64_t forwardTokens() const { return m_forwardTokens; }

private:
    // Tokens 2.. of the continuations in `longer`, batched over copies of the context's cache.
    // The first continuation tokens from the context's last log-probabilities (V); the longer
    // continuations' other tokens through scoreLongerContinuations over `cache` (batch 1).
    std::vector<ChoiceResult> scoreFromContext(const torch::Tensor &last, const KvCache &cache,
                                               int64_t contextLength,
                                               const std::vector<std::vector<int32_t>> &continuations);
    void scoreLongerContinuations(const KvCache &cache, int64_t contextLength,
                                  const std::vector<std::vector<int32_t>> &continuations,
                                  const std::vector<size_t> &longer, size_t longest,
                                  std::vector<ChoiceResult> &results);

    const Decoder &m_decoder;
    bool m_useAdapters;
    int64_t m_virtualTokens; // prompt tuning's, at the start of every cache
    std::vector<int32_t> m_prefixIds;
    KvCache m_prefix;
    int64_t m_forwardTokens = 0;
};

} // namespace ft
