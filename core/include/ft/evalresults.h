// Evaluation results into the project (ft/evalstore.h): a domain test (ft/domaintest.h) or a
// benchmark scored on the base model and, when given, the tuned one (ft/benchmarkeval.h), as one
// evaluation with its per-item rows. Shared by `finetune-cli eval --project` and the Evaluate
// page. Torch-free.
#pragma once

#include "ft/benchmarkeval.h"
#include "ft/domaintest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace ft {

class ProjectStore;

// Stores the domain test; `settings` are the options that made it (decoding, metrics ...).
// The run is found from `adapter` (runForAdapter). Returns the evaluation id.
int64_t storeDomainTest(ProjectStore &store, const DomainTestResult &result, const std::string &model,
                        const std::string &adapter, const nlohmann::json &settings);

// Stores a benchmark: base = adapter off; tuned = adapter on (nullptr when there is no adapter);
// both over the same questions. Returns the evaluation id.
int64_t storeBenchmark(ProjectStore &store, const BenchmarkReport &base, const BenchmarkReport *tuned,
                       const std::map<std::string, std::string> &categoryOfSubject,
                       const std::string &model, const std::string &adapter,
                       const nlohmann::json &settings);

// {"overall": {"count", "acc", "acc_norm"}, "subjects": {...}, "categories": {...}}
nlohmann::json benchmarkSummary(const BenchmarkReport &report);

} // namespace ft
