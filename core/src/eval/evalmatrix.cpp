// The evaluation matrix from stored evaluations (ft/evalmatrix.h).
#include "ft/evalmatrix.h"

#include "eval/blindvotes.h"

#include "ft/evalstore.h"
#include "ft/project.h"
#include "ft/runstore.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using nlohmann::json;

namespace ft {
namespace {

std::optional<EvaluationRecord> latest(const ProjectStore &store, std::optional<int64_t> runId,
                                       const std::string &kind)
{
    std::optional<EvaluationRecord> fallback;
    for (const EvaluationRecord &r : listEvaluations(store, runId)) {
        if (r.kind != kind)
            continue;
        if (r.summary.value("has_tuned", false))
            return r;  // newest first: the latest one with a tuned model
        if (!fallback)
            fallback = r;
    }
    return fallback;
}

double mean(const std::vector<double> &v)
{
    double sum = 0;
    for (double x : v)
        sum += x;
    return v.empty() ? 0.0 : sum / double(v.size());
}

double number(const json &j, const char *key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : std::nan("");
}

Verdict verdictNamed(const std::string &name)
{
    for (Verdict v : {Verdict::FirstBetter, Verdict::SecondBetter, Verdict::NotEnoughEvidence})
        if (name == verdictName(v))
            return v;
    return Verdict::NotEnoughEvidence;
}

BootstrapResult differenceFrom(const json &d)
{
    BootstrapResult b;
    b.estimate = number(d, "estimate");
    b.interval = {number(d, "low"), number(d, "high")};
    b.resamples = d.value("resamples", 0);
    b.verdict = verdictNamed(d.value("verdict", std::string()));
    return b;
}

void addBenchmarkRows(EvaluationMatrix &m, const ProjectStore &store, const EvaluationRecord &e,
                      const BootstrapOptions &bootstrap)
{
    const bool tuned = e.summary.value("has_tuned", false);
    const std::vector<EvaluationItem> items = evaluationItems(store, e.id);
    bool anyCategory = false;
    for (const EvaluationItem &it : items)
        anyCategory = anyCategory || !it.scores.value("category", std::string()).empty();
    // "" = overall; then each category (each subject when the benchmark has no categories).
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> groups;
    std::vector<std::string> order{""};
    for (const EvaluationItem &it : items) {
        const double b = number(it.scores, "base_correct");
        const double t = tuned ? number(it.scores, "tuned_correct") : 0.0;
        const std::string group = anyCategory ? it.scores.value("category", std::string()) : it.subject;
        for (const std::string &g : {std::string(), group}) {
            if (!g.empty() && groups.find(g) == groups.end())
                order.push_back(g);
            groups[g].first.push_back(b);
            groups[g].second.push_back(t);
            if (g.empty() && group.empty())
                break;
        }
    }
    if (items.empty())
        return;
    std::sort(order.begin() + 1, order.end());
    for (const std::string &g : order) {
        const auto &[base, tunedValues] = groups[g];
        MatrixRow row;
        row.part = "benchmark";
        row.name = g.empty() ? "accuracy" : "accuracy: " + g;
        row.items = static_cast<int64_t>(base.size());
        row.base = mean(base);
        if (tuned) {
            row.tuned = mean(tunedValues);
            row.difference = bootstrapMeanDifference(tunedValues, base, bootstrap);
        }
        if (g.empty() && row.difference && row.difference->interval.high < 0) {
            m.forgetting = true;
            char text[200];
            std::snprintf(text, sizeof text,
                          "forgetting: benchmark accuracy dropped by %.1f points (95%% interval %.1f to %.1f)",
                          -100 * row.difference->estimate, 100 * row.difference->interval.low,
                          100 * row.difference->interval.high);
            m.warning = text;
            row.note = "general ability dropped significantly";
        }
        m.rows.push_back(std::move(row));
    }
}

void addDomainRows(EvaluationMatrix &m, const ProjectStore &store, const EvaluationRecord &e,
                   const BootstrapOptions &bootstrap)
{
    const bool tuned = e.summary.value("has_tuned", false);
    const json scores = e.summary.value("scores", json::object());
    const int64_t rows = scores.value("rows_scored", int64_t(0));
    const json metrics = scores.value("metrics", json::object());
    for (const auto &[name, metric] : metrics.items()) {
        MatrixRow row;
        row.part = "domain";
        row.name = name;
        row.items = rows;
        const bool bleu = name == "bleu";
        if (!tuned) {
            row.base = bleu ? number(metric, "score") : number(metric, "mean");
        } else {
            row.tuned = bleu ? number(metric, "score") : number(metric, "mean");
            row.base = bleu ? number(metric.value("base", json::object()), "score") : number(metric, "base_mean");
            if (metric.contains("difference"))
                row.difference = differenceFrom(metric["difference"]);
            if (metric.contains("sign_test_p"))
                row.signTestP = number(metric, "sign_test_p");
        }
        m.rows.push_back(std::move(row));
    }
    for (const json &check : scores.value("checks", json::array())) {
        MatrixRow row;
        row.part = "domain";
        row.name = "check " + check.value("check", std::string());
        row.items = rows;
        if (tuned) {
            row.tuned = number(check, "pass_rate");
            row.base = number(check.value("base", json::object()), "pass_rate");
        } else {
            row.base = number(check, "pass_rate");
        }
        m.rows.push_back(std::move(row));
    }
    // Perplexity of the references: exp(token-weighted mean loss); the interval by resampling
    // rows (each brings its loss sum and token count).
    if (e.summary.value("perplexity", json()).is_null())
        return;
    const std::vector<EvaluationItem> items = evaluationItems(store, e.id);
    std::vector<double> baseNll, tunedNll, tokens;
    for (const EvaluationItem &it : items) {
        baseNll.push_back(number(it.scores, "base_nll"));
        tunedNll.push_back(tuned ? number(it.scores, "tuned_nll") : 0.0);
        tokens.push_back(number(it.scores, "answer_tokens"));
    }
    auto perplexity = [&](const std::vector<double> &nll, const std::vector<std::size_t> &idx) {
        double sum = 0, count = 0;
        for (std::size_t i : idx) {
            sum += nll[i];
            count += tokens[i];
        }
        return count > 0 ? std::exp(sum / count) : std::nan("");
    };
    std::vector<std::size_t> all(items.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    MatrixRow row;
    row.part = "perplexity";
    row.name = "perplexity of the references";
    row.items = static_cast<int64_t>(items.size());
    row.higherIsBetter = false;
    row.base = perplexity(baseNll, all);
    if (tuned) {
        row.tuned = perplexity(tunedNll, all);
        BootstrapResult d = pairedBootstrap(
            items.size(),
            [&](const std::vector<std::size_t> &idx) { return perplexity(tunedNll, idx) - perplexity(baseNll, idx); },
            bootstrap);
        // Lower is better: an interval entirely below 0 means the tuned model is better.
        d.verdict = d.interval.high < 0   ? Verdict::FirstBetter
                    : d.interval.low > 0 ? Verdict::SecondBetter
                                          : Verdict::NotEnoughEvidence;
        row.difference = d;
    }
    m.rows.push_back(std::move(row));
}

void addBlindRow(EvaluationMatrix &m, const ProjectStore &store, std::optional<int64_t> runId)
{
    std::string folder;
    if (runId) {
        const auto run = findRun(store, *runId);
        if (!run || run->folder.empty())
            return;  // no folder: no vote can be on its adapter
        folder = run->folder;
    }
    const BlindVotes votes = blindVotes(store, folder);
    if (votes.wins + votes.losses + votes.ties == 0)
        return;
    const WinRate w = winRate(votes.wins, votes.losses, votes.ties);
    MatrixRow row;
    row.part = "blind";
    row.name = "win rate (blind votes)";
    row.items = votes.wins + votes.losses + votes.ties;
    row.tuned = w.rate;
    BootstrapResult d;
    d.estimate = w.rate;
    d.interval = w.interval;
    d.verdict = w.verdict;
    row.difference = d;
    row.signTestP = w.signTestP;
    row.note = std::to_string(w.wins) + " won, " + std::to_string(w.losses) + " lost, " +
               std::to_string(w.ties) + " tied; " + verdictName(w.verdict);
    m.rows.push_back(std::move(row));
}

json optionalNumber(const std::optional<double> &v)
{
    return v && std::isfinite(*v) ? json(*v) : json();
}

} // namespace

EvaluationMatrix evaluationMatrix(const ProjectStore &store, std::optional<int64_t> runId,
                                  const BootstrapOptions &bootstrap)
{
    EvaluationMatrix m;
    m.runId = runId;
    if (const auto e = latest(store, runId, "benchmark")) {
        m.benchmarkEvaluation = e->id;
        addBenchmarkRows(m, store, *e, bootstrap);
    }
    if (const auto e = latest(store, runId, "domain")) {
        m.domainEvaluation = e->id;
        addDomainRows(m, store, *e, bootstrap);
    }
    addBlindRow(m, store, runId);
    return m;
}

json matrixJson(const EvaluationMatrix &m)
{
    json rows = json::array();
    for (const MatrixRow &r : m.rows) {
        json row = {{"part", r.part},
                    {"name", r.name},
                    {"items", r.items},
                    {"base", optionalNumber(r.base)},
                    {"tuned", optionalNumber(r.tuned)},
                    {"higher_is_better", r.higherIsBetter},
                    {"note", r.note}};
        if (r.difference)
            row["difference"] = {{"estimate", optionalNumber(r.difference->estimate)},
                                 {"low", optionalNumber(r.difference->interval.low)},
                                 {"high", optionalNumber(r.difference->interval.high)},
                                 {"verdict", verdictName(r.difference->verdict)}};
        else
            row["difference"] = nullptr;
        row["sign_test_p"] = r.signTestP ? json(*r.signTestP) : json();
        rows.push_back(std::move(row));
    }
    return {{"run_id", m.runId ? json(*m.runId) : json()},
            {"benchmark_evaluation", m.benchmarkEvaluation ? json(*m.benchmarkEvaluation) : json()},
            {"domain_evaluation", m.domainEvaluation ? json(*m.domainEvaluation) : json()},
            {"forgetting", m.forgetting},
            {"warning", m.warning},
            {"rows", rows}};
}

} // namespace ft
