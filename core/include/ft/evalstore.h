// Evaluation results in a project file (schema v4: the evaluations and evaluation_items tables).
// An evaluation is one benchmark or domain test of the base model and, beside it, the tuned one
// (a run's adapter); each item keeps the question or row, the reference, both outputs and their
// scores, so that the matrix (ft/evalmatrix.h) and the Evaluate page read results back without
// evaluating again. Torch-free.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class ProjectStore;

struct EvaluationItem
{
    int64_t index = 0;             // 0-based position in its evaluation
    std::optional<int64_t> rowId;  // the project row (domain tests of a project split)
    std::string subject;           // a benchmark's subject; "" for domain rows
    std::string prompt;
    std::string reference;         // the gold answer / reference answer
    std::string baseOutput;        // the base model's answer (a letter for a benchmark)
    std::string tunedOutput;       // the tuned model's answer ("" when there is no tuned model)
    // Per item: benchmark {"category", "base_correct", "tuned_correct", ...}; domain
    // {"base": {metric: value}, "tuned": {...}, "base_ppl_nll", ...}.
    nlohmann::json scores = nlohmann::json::object();
};

struct EvaluationRecord
{
    int64_t id = 0;                // filled by addEvaluation
    std::string kind;              // "benchmark" or "domain"
    std::string model;             // the base model (folder or .gguf)
    std::optional<int64_t> runId;  // the tuned run, when the adapter is a project run's
    std::string adapter;           // the adapter folder ("" = base only)
    std::string source;            // the benchmark path, or "dataset#split"
    nlohmann::json settings = nlohmann::json::object(); // shots, limit, decoding, metrics ...
    nlohmann::json summary = nlohmann::json::object();  // the report's totals
    std::string createdAt;         // UTC, ISO 8601 (filled by addEvaluation)
};

// Stores the evaluation with its items in one transaction; returns its id. BadInput for a kind
// other than benchmark / domain.
int64_t addEvaluation(ProjectStore &store, EvaluationRecord &record,
                      const std::vector<EvaluationItem> &items);
// Newest first; only those of `runId` when given. Without their items.
std::vector<EvaluationRecord> listEvaluations(const ProjectStore &store,
                                              std::optional<int64_t> runId = std::nullopt);
std::optional<EvaluationRecord> findEvaluation(const ProjectStore &store, int64_t id);
std::vector<EvaluationItem> evaluationItems(const ProjectStore &store, int64_t evaluationId);
void removeEvaluation(ProjectStore &store, int64_t id);

// The project run whose output folder holds `adapterFolder` (the folder itself, its final/ or a
// checkpoint-N/).
std::optional<int64_t> runForAdapter(const ProjectStore &store, const std::string &adapterFolder);

} // namespace ft
