// Learning-rate schedules with the formulas of transformers.optimization (the lr_lambda that
// LambdaLR multiplies the base learning rate by). The lr of optimizer step s (0-based) is
// base_lr * factor(s), as with LambdaLR stepped once after every optimizer step.
#pragma once

#include <cstdint>
#include <string>

namespace ft {

class LrSchedule
{
public:
    enum class Kind {
        Constant,             // get_constant_schedule: 1
        ConstantWithWarmup,   // s / max(1, W) during warmup, then 1
        Linear,               // warmup, then max(0, (N - s) / max(1, N - W))
        Cosine,               // warmup, then max(0, 0.5 (1 + cos(pi * 2 c p))), c = 0.5,
                              //   p = (s - W) / max(1, N - W)
    };

    LrSchedule() = default;
    LrSchedule(Kind kind, int64_t warmupSteps, int64_t totalSteps, double numCycles = 0.5);

    double factor(int64_t step) const;
    Kind kind() const { return m_kind; }
    int64_t warmupSteps() const { return m_warmup; }
    int64_t totalSteps() const { return m_total; }

    // "constant", "constant_with_warmup", "linear", "cosine" (transformers' SchedulerType
    // names); throws ft::Error(BadInput) otherwise.
    static Kind parseKind(const std::string &name);
    // TrainingArguments.get_warmup_steps: a value >= 1 is a step count (truncated), one below 1
    // a ratio of the total: ceil(total * ratio).
    static int64_t warmupStepsFor(double warmup, int64_t totalSteps);

private:
    Kind m_kind = Kind::Constant;
    int64_t m_warmup = 0;
    int64_t m_total = 0;
    double m_numCycles = 0.5;
};

} // namespace ft
