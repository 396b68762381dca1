#include "generate/sampler.h"

#include <torch/torch.h>

#include <cmath>

namespace ft {

Sampler::Sampler(const GenerationOptions &options) : m_options(options), m_rng(options.seed) {}

namespace {

// The first index of the largest value (a NaN counts as largest, as torch.argmax has it).
int32_t firstArgmax(const float *data, int64_t n)
{
    int64_t best = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (std::isnan(data[i]))
            return static_cast<int32_t>(i);
        if (data[i] > data[best])
            best = i;
    }
    return static_cast<int32_t>(best);
}

} // namespace

int32_t Sampler::next(torch::Tensor logits, const std::vector<int32_t> &history)
{
    logits = logits.to(torch::kFloat32).contiguous();
    const bool penalty = m_options.repetitionPenalty != 1.0f && !history.empty();
    // Greedy without a penalty reads the logits in place: LibTorch's clone and argmax over a
    // vocabulary-sized tensor each open an OpenMP parallel region, whose workers then spin beside
    // the decode workers for milliseconds (docs/benchmarks.md, generation profile).
    if (m_options.temperature <= 0.0f && !penalty && logits.device().is_cpu())
        return firstArgmax(logits.data_ptr<float>(), logits.numel());
    logits = logits.clone();
    // RepetitionPenaltyLogitsProcessor (CTRL, arXiv:1909.05858): seen tokens' positive logits are
    // divided by the penalty, negative ones multiplied.
    if (penalty) {
        float *data = logits.data_ptr<float>();
        std::vector<bool> seen(static_cast<size_t>(logits.numel()), false);
        for (int32_t id : history)
            if (id >= 0 && id < logits.numel() && !seen[id]) {
                seen[id] = true;
                data[id] = data[id] > 0 ? data[id] / m_options.repetitionPenalty
                                        : data[id] * m_options.repetitionPenalty;
            }
    }
    if (m_options.temperature <= 0.0f)
        return static_cast<int32_t>(logits.argmax().item<int64_t>());

    logits = logits / m_options.temperature;
    if (m_options.topK > 0 && m_options.topK < logits.numel()) {
        const float kth = std::get<0>(logits.topk(m_options.topK)).min().item<float>();
        logits = logits.masked_fill(logits < kth, -INFINITY);
    }
    if (m_options.topP < 1.0f) {
        // TopPLogitsWarper: drop the lowest tokens whose cumulative probability is <= 1 - top_p,
        // always keeping the most likely one.
        auto [sorted, order] = logits.sort(/*dim=*/0, /*descending=*/false);
        torch::Tensor cumulative = sorted.softmax(0).cumsum(0);
        torch::Tensor remove = cumulative <= (1.0f - m_options.topP);
        remove[-1] = false;
        logits = logits.scatter(0, order, sorted.masked_fill(remove, -INFINITY));
    }
    torch::Tensor probs = logits.softmax(0).to(torch::kFloat64).contiguous();
    const double *p = probs.data_ptr<double>();
    const int64_t n = probs.numel();
    double draw = std::uniform_real_distribution<double>(0.0, 1.0)(m_rng);
    int64_t last = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (p[i] <= 0.0)
            continue;
        last = i;
        draw -= p[i];
        if (draw < 0.0)
            return static_cast<int32_t>(i);
    }
    return static_cast<int32_t>(last);
}

} // namespace ft
