#include "train/lrschedule.h"

#include "ft/error.h"

#include <algorithm>
#include <cmath>

namespace ft {

LrSchedule::LrSchedule(Kind kind, int64_t warmupSteps, int64_t totalSteps, double numCycles)
    : m_kind(kind), m_warmup(warmupSteps), m_total(totalSteps), m_numCycles(numCycles)
{
    if (warmupSteps < 0 || totalSteps < 0)
        throwBadInput("warmup and total step counts must not be negative");
}

double LrSchedule::factor(int64_t step) const
{
    const double s = double(step), w = double(m_warmup), n = double(m_total);
    switch (m_kind) {
    case Kind::Constant:
        return 1.0;
    case Kind::ConstantWithWarmup:
        return step < m_warmup ? s / std::max(1.0, w) : 1.0;
    case Kind::Linear:
        if (step < m_warmup)
            return s / double(std::max<int64_t>(1, m_warmup));
        return std::max(0.0, (n - s) / double(std::max<int64_t>(1, m_total - m_warmup)));
    case Kind::Cosine: {
        if (step < m_warmup)
            return s / double(std::max<int64_t>(1, m_warmup));
        const double progress = (s - w) / double(std::max<int64_t>(1, m_total - m_warmup));
        return std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * m_numCycles * 2.0 * progress)));
    }
    }
    return 1.0;
}

LrSchedule::Kind LrSchedule::parseKind(const std::string &name)
{
    if (name == "constant")
        return Kind::Constant;
    if (name == "constant_with_warmup")
        return Kind::ConstantWithWarmup;
    if (name == "linear")
        return Kind::Linear;
    if (name == "cosine")
        return Kind::Cosine;
    throwBadInput("unknown learning-rate schedule '" + name +
                  "' (constant, constant_with_warmup, linear, cosine)");
}

int64_t LrSchedule::warmupStepsFor(double warmup, int64_t totalSteps)
{
    if (warmup < 0)
        throwBadInput("warmup must not be negative");
    if (warmup >= 1.0)
        return int64_t(warmup);
    return int64_t(std::ceil(double(totalSteps) * warmup));
}

} // namespace ft
