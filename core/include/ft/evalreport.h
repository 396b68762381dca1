// The evaluation report a person can send: one self-contained HTML file (no external files; the
// charts are inline SVG) with the model, the run's settings and loss curve (from its
// metrics.jsonl), a summary of its data, the evaluation matrix (ft/evalmatrix.h) and the
// per-category accuracy chart. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class ProjectStore;

// The HTML text for run `runId` (the latest evaluations of any run when nullopt). BadInput when
// the run does not exist.
std::string evaluationReportHtml(const ProjectStore &store, std::optional<int64_t> runId);
// Several runs side by side (ft::evaluationMatrix of them), each run's section after the matrix.
std::string evaluationReportHtml(const ProjectStore &store, const std::vector<int64_t> &runIds);

// Writes it to `out` atomically (a temporary sibling renamed into place). BadInput naming the
// file when it cannot be written.
void writeEvaluationReport(const ProjectStore &store, std::optional<int64_t> runId,
                           const std::filesystem::path &out);
void writeEvaluationReport(const ProjectStore &store, const std::vector<int64_t> &runIds,
                           const std::filesystem::path &out);

} // namespace ft
