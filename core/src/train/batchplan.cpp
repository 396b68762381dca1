#include "train/batchplan.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <utility>

namespace ft {

BatchPlan::BatchPlan(const std::vector<Example> &examples, BatchPlanOptions options)
    : m_options(options)
{
    const auto length = [&](int64_t i) { return static_cast<int64_t>(examples[i].ids.size()); };
    if (!options.packing) {
        for (size_t i = 0; i < examples.size(); ++i) {
            m_units.push_back({static_cast<int64_t>(i)});
            m_unitTokens.push_back(length(static_cast<int64_t>(i)));
        }
        return;
    }
    // Best-fit decreasing: longest first, each into the fullest bin that still has room.
    std::vector<int64_t> order(examples.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return length(a) > length(b); });
    std::multimap<int64_t, size_t> room;  // free tokens -> bin
    for (int64_t i : order) {
        auto it = room.lower_bound(length(i));
        size_t bin;
        if (it == room.end()) {
            bin = m_units.size();
            m_units.emplace_back();
            m_unitTokens.push_back(0);
        } else {
            bin = it->second;
            room.erase(it);
        }
        m_units[bin].push_back(i);
        m_unitTokens[bin] += length(i);
        const int64_t left = options.cutoffLen - m_unitTokens[bin];
        if (left > 0)
            room.emplace(left, bin);
    }
}

BatchPlan::BatchPlan(std::vector<std::vector<int64_t>> units, const std::vector<Example> &examples,
                     BatchPlanOptions options)
    : m_options(options), m_units(std::move(units))
{
    for (const auto &unit : m_units) {
        int64_t tokens = 0;
        for (int64_t i : unit)
            tokens += static_cast<int64_t>(examples[static_cast<size_t>(i)].ids.size());
        m_unitTokens.push_back(tokens);
    }
}

int64_t BatchPlan::microBatchesPerEpoch() const
{
    return (unitCount() + m_options.batchSize - 1) / m_options.batchSize;
}

std::vector<std::vector<int64_t>> BatchPlan::epoch(int64_t epoch) const
{
    std::vector<int64_t> order(m_units.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 gen(m_options.seed * 1000003ull + static_cast<uint64_t>(epoch));
    for (size_t i = order.size(); i > 1; --i) {
        const size_t j = static_cast<size_t>(gen() % i);
        std::swap(order[i - 1], order[j]);
    }
    const size_t bs = static_cast<size_t>(m_options.batchSize);
    if (m_options.groupByLength) {
        const size_t mega = 50 * bs;
        for (size_t i = 0; i < order.size(); i += mega) {
            const auto end = order.begin() + std::min(order.size(), i + mega);
            std::stable_sort(order.begin() + i, end, [&](int64_t a, int64_t b) {
                return m_unitTokens[a] > m_unitTokens[b];
            });
        }
    }
    std::vector<std::vector<int64_t>> batches;
    for (size_t i = 0; i < order.size(); i += bs) {
        std::vector<int64_t> batch;
        for (size_t u = i; u < std::min(order.size(), i + bs); ++u)
            batch.insert(batch.end(), m_units[order[u]].begin(), m_units[order[u]].end());
        batches.push_back(std::move(batch));
    }
    return batches;
}

} // namespace ft
