// The evaluation matrix of a tuned run against its base model, from the project's stored
// results: rows = benchmark accuracy (overall and per category), each domain metric, the
// reference answers' perplexity, and the blind win rate; columns = base, tuned, and the
// difference tuned - base with its 95 % paired-bootstrap interval (seeded) or, for the blind
// votes, the Wilson interval of the win rate and the sign test. Torch-free.
#pragma once

#include "ft/evalstats.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class ProjectStore;

struct MatrixRow
{
    std::string part;  // "benchmark", "domain", "perplexity" or "blind"
    std::string name;  // e.g. "accuracy", "accuracy: STEM", "rouge_l", "win rate"
    int64_t items = 0; // questions / rows / votes behind it
    std::optional<double> base;
    std::optional<double> tuned;
    // tuned - base with its interval; for "blind": estimate = win rate, interval = Wilson.
    std::optional<BootstrapResult> difference;
    std::optional<double> signTestP;  // blind votes, and per-item wins/losses of domain metrics
    bool higherIsBetter = true;       // false for perplexity
    std::string note;                 // e.g. "not enough votes to tell"
};

struct EvaluationMatrix
{
    std::optional<int64_t> runId;
    std::optional<int64_t> benchmarkEvaluation;  // the evaluations the rows come from
    std::optional<int64_t> domainEvaluation;
    std::vector<MatrixRow> rows;
    // General ability dropped: the overall benchmark difference's interval lies entirely below 0.
    bool forgetting = false;
    std::string warning;
};

// The latest benchmark and domain evaluations of `runId` (of any run when nullopt) and the blind
// votes on that run's adapter (all votes when nullopt).
EvaluationMatrix evaluationMatrix(const ProjectStore &store, std::optional<int64_t> runId = std::nullopt,
                                  const BootstrapOptions &bootstrap = {});

nlohmann::json matrixJson(const EvaluationMatrix &matrix);

} // namespace ft
