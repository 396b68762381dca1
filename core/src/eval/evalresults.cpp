// Domain tests and benchmarks as project evaluations (ft/evalresults.h).
#include "ft/evalresults.h"

#include "ft/benchmark.h"
#include "ft/error.h"
#include "ft/evalstore.h"
#include "ft/project.h"

using nlohmann::json;

namespace ft {
namespace {

json accuracyJson(const AccuracyScore &s)
{
    return {{"count", s.count}, {"acc", s.acc}, {"acc_norm", s.accNorm}};
}

} // namespace

json benchmarkSummary(const BenchmarkReport &report)
{
    json out{{"overall", accuracyJson(report.overall)}, {"subjects", json::object()},
             {"categories", json::object()}, {"shots", report.shots}, {"seconds", report.seconds}};
    for (const auto &[name, s] : report.subjects)
        out["subjects"][name] = accuracyJson(s);
    for (const auto &[name, s] : report.categories)
        out["categories"][name] = accuracyJson(s);
    return out;
}

int64_t storeDomainTest(ProjectStore &store, const DomainTestResult &result, const std::string &model,
                        const std::string &adapter, const json &settings)
{
    EvaluationRecord record;
    record.kind = "domain";
    record.model = model;
    record.adapter = result.hasTuned ? adapter : std::string();
    record.runId = runForAdapter(store, record.adapter);
    record.source = result.source;
    record.settings = settings;
    json scores = result.scores;
    const json rowScores = scores.contains("rows") ? scores["rows"] : json::array();
    scores.erase("rows");
    record.summary = {{"scores", scores},
                      {"perplexity", result.perplexity},
                      {"has_tuned", result.hasTuned},
                      {"rows", result.rows.size()},
                      {"skipped", result.skipped},
                      {"seconds", result.seconds}};
    std::vector<EvaluationItem> items;
    for (size_t i = 0; i < result.rows.size(); ++i) {
        const DomainTestRow &r = result.rows[i];
        EvaluationItem item;
        item.rowId = r.rowId;
        item.prompt = r.prompt;
        item.reference = r.reference;
        item.baseOutput = r.baseOutput;
        item.tunedOutput = r.tunedOutput;
        json one = i < rowScores.size() ? rowScores[i] : json::object();
        json base = one.contains("base") ? one["base"] : json::object();
        one.erase("base");
        one.erase("line");
        if (result.hasTuned)
            item.scores = {{"base", base}, {"tuned", one}};
        else
            item.scores = {{"base", one}};
        item.scores["answer_tokens"] = r.answerTokens;
        item.scores["base_nll"] = r.baseNll;
        if (result.hasTuned)
            item.scores["tuned_nll"] = r.tunedNll;
        items.push_back(std::move(item));
    }
    return addEvaluation(store, record, items);
}

int64_t storeBenchmark(ProjectStore &store, const BenchmarkReport &base, const BenchmarkReport *tuned,
                       const std::map<std::string, std::string> &categoryOfSubject,
                       const std::string &model, const std::string &adapter, const json &settings)
{
    if (tuned && tuned->items.size() != base.items.size())
        throw Error(ErrorKind::Internal, "storeBenchmark: base and tuned scored different questions");
    EvaluationRecord record;
    record.kind = "benchmark";
    record.model = model;
    record.adapter = tuned ? adapter : std::string();
    record.runId = runForAdapter(store, record.adapter);
    record.source = base.benchmark;
    record.settings = settings;
    record.summary = {{"base", benchmarkSummary(base)}, {"has_tuned", tuned != nullptr},
                      {"prompt_style", promptStyleName(base.style)}};
    if (tuned)
        record.summary["tuned"] = benchmarkSummary(*tuned);
    std::vector<EvaluationItem> items;
    for (size_t i = 0; i < base.items.size(); ++i) {
        const BenchmarkItemResult &b = base.items[i];
        EvaluationItem item;
        item.subject = b.subject;
        item.prompt = b.prompt;
        item.reference = choiceLabel(b.gold);
        item.baseOutput = choiceLabel(b.prediction);
        const auto category = categoryOfSubject.find(b.subject);
        item.scores = {{"source", b.source},
                       {"category", category == categoryOfSubject.end() ? "" : category->second},
                       {"base_correct", b.prediction == b.gold ? 1 : 0},
                       {"base_correct_norm", b.predictionNorm == b.gold ? 1 : 0}};
        if (tuned) {
            const BenchmarkItemResult &t = tuned->items[i];
            item.tunedOutput = choiceLabel(t.prediction);
            item.scores["tuned_correct"] = t.prediction == t.gold ? 1 : 0;
            item.scores["tuned_correct_norm"] = t.predictionNorm == t.gold ? 1 : 0;
        }
        items.push_back(std::move(item));
    }
    return addEvaluation(store, record, items);
}

} // namespace ft
