// The evaluation matrix of one or several tuned runs against their base model, from the
// project's stored results: rows = benchmark accuracy (overall and per category), each domain
// metric, the reference answers' perplexity, and the blind win rate; columns = base, each tuned
// run, and for each run the difference tuned - base with its 95 % paired-bootstrap interval
// (seeded) or, for the blind votes, the Wilson interval of the win rate and the sign test.
// When the runs were evaluated on different questions / rows, only the items common to all of
// them are paired (and `pairing` says so). Torch-free.
#pragma once

#include "ft/evalstats.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class ProjectStore;

// One tuned run's values in a matrix row.
struct MatrixCell
{
    int64_t items = 0;  // questions / rows / votes behind it
    std::optional<double> tuned;
    // tuned - base with its interval; for "blind": estimate = win rate, interval = Wilson.
    std::optional<BootstrapResult> difference;
    std::optional<double> signTestP;  // blind votes, and per-item wins/losses of domain metrics
    std::string note;                 // e.g. "not enough votes to tell"
};

struct MatrixRow
{
    std::string part;  // "benchmark", "domain", "perplexity" or "blind"
    std::string name;  // e.g. "accuracy", "accuracy: STEM", "rouge_l", "win rate"
    std::optional<double> base;
    bool higherIsBetter = true;  // false for perplexity
    // Parallel to EvaluationMatrix::runs; nullopt where that run has no such row.
    std::vector<std::optional<MatrixCell>> runs;
    // The first run's cell, copied, for one-run callers.
    int64_t items = 0;
    std::optional<double> tuned;
    std::optional<BootstrapResult> difference;
    std::optional<double> signTestP;
    std::string note;
};

// A tuned run's column(s) and the evaluations its cells come from.
struct MatrixRun
{
    std::optional<int64_t> runId;  // nullopt: the latest evaluations of any run
    std::string name;              // the run's name ("tuned" without a run)
    std::optional<int64_t> benchmarkEvaluation;
    std::optional<int64_t> domainEvaluation;
    // General ability dropped: the overall benchmark difference's interval lies entirely below 0.
    bool forgetting = false;
    std::string warning;
};

struct EvaluationMatrix
{
    std::vector<MatrixRun> runs;
    std::vector<MatrixRow> rows;
    // Any run forgot; warning = the runs' warnings, one line each.
    bool forgetting = false;
    std::string warning;
    // "" when every run was scored on the same items; else which common items were paired.
    std::string pairing;
    // The first run's, for one-run callers.
    std::optional<int64_t> runId;
    std::optional<int64_t> benchmarkEvaluation;
    std::optional<int64_t> domainEvaluation;
};

// The latest benchmark and domain evaluations of `runId` (of any run when nullopt) and the blind
// votes on that run's adapter (all votes when nullopt).
EvaluationMatrix evaluationMatrix(const ProjectStore &store, std::optional<int64_t> runId = std::nullopt,
                                  const BootstrapOptions &bootstrap = {});
// Several runs side by side (in the order given; an empty list = the latest of any run). The
// base column comes from the first run's evaluations; the items each run is paired on are those
// common to all the runs' evaluations of the same kind. An id without a run has empty cells.
EvaluationMatrix evaluationMatrix(const ProjectStore &store, const std::vector<int64_t> &runIds,
                                  const BootstrapOptions &bootstrap = {});

nlohmann::json matrixJson(const EvaluationMatrix &matrix);

// Whether a row's values are fractions 0..1 (shown as percent): benchmark accuracy, the blind win
// rate, em, f1, rouge_l, label accuracy, the checks' pass rates.
bool isFractionRow(const MatrixRow &row);
// The metric-deltas chart's scale for a row: tuned - base in points (fractions x 100, BLEU as
// it is); nullopt for rows it leaves out (perplexity has no common unit, the blind row is a win
// rate, not a difference).
std::optional<double> deltaPointsScale(const MatrixRow &row);

} // namespace ft
