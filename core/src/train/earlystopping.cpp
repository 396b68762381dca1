#include "train/earlystopping.h"

#include <algorithm>
#include <cmath>

namespace ft {

bool EarlyStopping::record(int64_t step, double loss)
{
    m_lastStep = step;
    const bool improved = !std::isfinite(m_best) || (loss < m_best && m_best - loss > m_threshold);
    if (improved) {
        m_best = std::min(m_best, loss);
        m_withoutImprovement = 0;
    } else {
        ++m_withoutImprovement;
    }
    return m_patience > 0 && m_withoutImprovement >= m_patience;
}

nlohmann::json EarlyStopping::toJson() const
{
    return {{"best_loss", std::isfinite(m_best) ? nlohmann::json(m_best) : nlohmann::json()},
            {"without_improvement", m_withoutImprovement},
            {"last_step", m_lastStep}};
}

void EarlyStopping::restore(const nlohmann::json &e)
{
    if (!e.is_object())
        return;
    if (e.contains("best_loss") && e["best_loss"].is_number())
        m_best = e["best_loss"].get<double>();
    m_withoutImprovement = e.value("without_improvement", int64_t(0));
    m_lastStep = e.value("last_step", int64_t(-1));
}

} // namespace ft
