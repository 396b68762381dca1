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
    // Tokens run through the model so far (prefixes included).
    int64_t forwardTokens() const { return m_forwardTokens; }

private:
    // Tokens 2.. of the continuations in `longer`, batched over copies of the context's cache.
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
