// Evaluation bookkeeping of a run: the best eval loss, evaluations without improvement (early
// stopping, as transformers' EarlyStoppingCallback) and the step of the last evaluation.
// Checkpointed in trainer_state.json ("eval"), so a resumed run stops where an uninterrupted
// one would.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

namespace ft {

class EarlyStopping
{
public:
    // patience 0: never stops. An improvement must lower the best loss by more than threshold.
    EarlyStopping(int64_t patience, double threshold) : m_patience(patience), m_threshold(threshold) {}

    // Records an evaluation at `step`; true when the run should stop now.
    bool record(int64_t step, double loss);

    double bestLoss() const { return m_best; }
    int64_t evalsWithoutImprovement() const { return m_withoutImprovement; }

    nlohmann::json toJson() const;
    void restore(const nlohmann::json &state);  // tolerant of a missing or partial object

private:
    int64_t m_patience;
    double m_threshold;
    double m_best = std::numeric_limits<double>::infinity();
    int64_t m_withoutImprovement = 0;
    int64_t m_lastStep = -1;
};

} // namespace ft
