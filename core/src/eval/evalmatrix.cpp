// The evaluation matrix from stored evaluations (ft/evalmatrix.h).
#include "ft/evalmatrix.h"

#include "eval/blindvotes.h"

#include "ft/domainscore.h"
#include "ft/evalstore.h"
#include "ft/project.h"
#include "ft/runstore.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <set>

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

// The rows of one run's column, computed from its (possibly filtered) items.
using RunRows = std::vector<MatrixRow>;

std::string percentText(double v)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", 100 * v);
    return text;
}

void addBenchmarkRows(RunRows &out, MatrixRun &run, const std::vector<EvaluationItem> &items, bool tuned,
                      const BootstrapOptions &bootstrap)
{
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
            run.forgetting = true;
            run.warning = "forgetting: benchmark accuracy dropped by " + percentText(-row.difference->estimate) +
                          " points (95% interval " + percentText(row.difference->interval.low) + " to " +
                          percentText(row.difference->interval.high) + ")";
            row.note = "general ability dropped significantly";
        }
        out.push_back(std::move(row));
    }
}

// scoreDomain's report (without its rows) for the stored outputs of `items`, with the metrics,
// labels and checks the evaluation was scored with: the common rows of several runs.
json rescoreDomain(const EvaluationRecord &e, const std::vector<EvaluationItem> &items, bool tuned,
                   const BootstrapOptions &bootstrap)
{
    DomainScoreOptions options;
    const auto strings = [&](const char *key, std::vector<std::string> &into) {
        const auto it = e.settings.find(key);
        if (it != e.settings.end() && it->is_array() && !(it->empty() && std::string(key) == "metrics"))
            into = it->get<std::vector<std::string>>();
    };
    strings("metrics", options.metrics);
    strings("labels", options.labels);
    strings("checks", options.checks);
    options.bootstrap = bootstrap;
    std::vector<PredictionRow> rows;
    for (const EvaluationItem &it : items) {
        PredictionRow r;
        r.line = it.index + 1;
        r.reference = it.reference;
        r.prediction = tuned ? it.tunedOutput : it.baseOutput;
        r.hasBase = tuned;
        if (tuned)
            r.basePrediction = it.baseOutput;
        rows.push_back(std::move(r));
    }
    json scores = scoreDomain(rows, options, "evaluation " + std::to_string(e.id));
    scores.erase("rows");
    return scores;
}

void addDomainRows(RunRows &out, const EvaluationRecord &e, const std::vector<EvaluationItem> &items, bool filtered,
                   const BootstrapOptions &bootstrap)
{
    const bool tuned = e.summary.value("has_tuned", false);
    const json scores = filtered && !items.empty() ? rescoreDomain(e, items, tuned, bootstrap)
                                                   : e.summary.value("scores", json::object());
    const int64_t rows = filtered ? static_cast<int64_t>(items.size()) : scores.value("rows_scored", int64_t(0));
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
        out.push_back(std::move(row));
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
        out.push_back(std::move(row));
    }
    // Perplexity of the references: exp(token-weighted mean loss); the interval by resampling
    // rows (each brings its loss sum and token count).
    if (e.summary.value("perplexity", json()).is_null() || items.empty())
        return;
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
    out.push_back(std::move(row));
}

void addBlindRow(RunRows &out, const ProjectStore &store, std::optional<int64_t> runId)
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
    out.push_back(std::move(row));
}

// What pairs a benchmark question / a domain row across evaluations.
std::string itemKey(const EvaluationItem &it)
{
    if (it.rowId)
        return "row " + std::to_string(*it.rowId);
    const std::string source = it.scores.value("source", std::string());
    return it.subject + '\n' + (source.empty() ? it.prompt + '\n' + it.reference : source);
}

// One kind of evaluation (benchmark or domain) of every run: the items common to all of them.
struct KindItems
{
    std::vector<std::optional<EvaluationRecord>> records;  // per run
    std::vector<std::vector<EvaluationItem>> items;        // per run, the common ones only
    bool filtered = false;                                 // some run lost items
    std::string note;
};

KindItems commonItems(const ProjectStore &store, const std::vector<std::optional<int64_t>> &runIds,
                      const std::string &kind, const std::vector<MatrixRun> &runs)
{
    KindItems k;
    std::vector<std::vector<EvaluationItem>> all;
    std::optional<std::set<std::string>> common;
    for (const auto &runId : runIds) {
        k.records.push_back(latest(store, runId, kind));
        all.push_back(k.records.back() ? evaluationItems(store, k.records.back()->id) : std::vector<EvaluationItem>{});
        if (!k.records.back())
            continue;
        std::set<std::string> keys;
        for (const EvaluationItem &it : all.back())
            keys.insert(itemKey(it));
        if (!common) {
            common = std::move(keys);
        } else {
            std::set<std::string> both;
            std::set_intersection(common->begin(), common->end(), keys.begin(), keys.end(),
                                  std::inserter(both, both.end()));
            common = std::move(both);
        }
    }
    std::string counts;
    for (std::size_t r = 0; r < all.size(); ++r) {
        std::vector<EvaluationItem> kept;
        for (const EvaluationItem &it : all[r])
            if (common && common->count(itemKey(it)))
                kept.push_back(it);
        if (kept.size() != all[r].size())
            k.filtered = true;
        if (k.records[r])
            counts += (counts.empty() ? "" : ", ") + runs[r].name + " " + std::to_string(all[r].size());
        k.items.push_back(std::move(kept));
    }
    if (k.filtered) {
        const char *what = kind == "benchmark" ? "questions" : "rows";
        k.note = kind + ": the runs were evaluated on different " + what + " (" + counts + "); paired on the " +
                 std::to_string(common ? common->size() : 0) + " " + what + " common to all";
    }
    return k;
}

MatrixCell cellOf(const MatrixRow &r)
{
    MatrixCell c;
    c.items = r.items;
    c.tuned = r.tuned;
    c.difference = r.difference;
    c.signTestP = r.signTestP;
    c.note = r.note;
    return c;
}

json optionalNumber(const std::optional<double> &v)
{
    return v && std::isfinite(*v) ? json(*v) : json();
}

} // namespace

EvaluationMatrix evaluationMatrix(const ProjectStore &store, std::optional<int64_t> runId,
                                  const BootstrapOptions &bootstrap)
{
    return runId ? evaluationMatrix(store, std::vector<int64_t>{*runId}, bootstrap)
                 : evaluationMatrix(store, std::vector<int64_t>{}, bootstrap);
}

EvaluationMatrix evaluationMatrix(const ProjectStore &store, const std::vector<int64_t> &runIds,
                                  const BootstrapOptions &bootstrap)
{
    EvaluationMatrix m;
    std::vector<std::optional<int64_t>> ids;
    for (int64_t id : runIds) {
        const auto run = findRun(store, id);
        ids.emplace_back(id);
        m.runs.push_back({id, run ? run->name : "run " + std::to_string(id), {}, {}, false, {}});
    }
    if (ids.empty()) {
        ids.emplace_back(std::nullopt);
        m.runs.push_back({std::nullopt, "tuned", {}, {}, false, {}});
    }
    const KindItems benchmark = commonItems(store, ids, "benchmark", m.runs);
    const KindItems domain = commonItems(store, ids, "domain", m.runs);
    for (const std::string *note : {&benchmark.note, &domain.note})
        if (!note->empty())
            m.pairing += (m.pairing.empty() ? "" : "\n") + *note;

    // Rows keyed by (part, name) in first-seen order; base from the first run that has the row.
    std::vector<std::pair<std::string, std::string>> order;
    std::map<std::pair<std::string, std::string>, MatrixRow> merged;
    for (std::size_t r = 0; r < ids.size(); ++r) {
        MatrixRun &run = m.runs[r];
        RunRows rows;
        if (const auto &e = benchmark.records[r]) {
            run.benchmarkEvaluation = e->id;
            addBenchmarkRows(rows, run, benchmark.items[r], e->summary.value("has_tuned", false), bootstrap);
        }
        if (const auto &e = domain.records[r]) {
            run.domainEvaluation = e->id;
            addDomainRows(rows, *e, domain.items[r], domain.filtered, bootstrap);
        }
        addBlindRow(rows, store, ids[r]);
        if (run.forgetting) {
            m.forgetting = true;
            m.warning += (m.warning.empty() ? "" : "\n") + (ids.size() > 1 ? run.name + ": " : "") + run.warning;
        }
        for (MatrixRow &row : rows) {
            const auto key = std::make_pair(row.part, row.name);
            auto it = merged.find(key);
            if (it == merged.end()) {
                order.push_back(key);
                MatrixRow fresh;
                fresh.part = row.part;
                fresh.name = row.name;
                fresh.base = row.base;
                fresh.higherIsBetter = row.higherIsBetter;
                fresh.runs.resize(ids.size());
                it = merged.emplace(key, std::move(fresh)).first;
            }
            if (!it->second.base)
                it->second.base = row.base;
            it->second.runs[r] = cellOf(row);
        }
    }
    for (const auto &key : order) {
        MatrixRow row = std::move(merged[key]);
        for (const auto &cell : row.runs)
            if (cell) {  // the first run that has the row
                row.items = cell->items;
                row.tuned = cell->tuned;
                row.difference = cell->difference;
                row.signTestP = cell->signTestP;
                row.note = cell->note;
                break;
            }
        m.rows.push_back(std::move(row));
    }
    m.runId = m.runs.front().runId;
    m.benchmarkEvaluation = m.runs.front().benchmarkEvaluation;
    m.domainEvaluation = m.runs.front().domainEvaluation;
    return m;
}

bool isFractionRow(const MatrixRow &r)
{
    return r.part == "benchmark" || r.part == "blind" || r.name == "em" || r.name == "f1" || r.name == "rouge_l" ||
           r.name == "accuracy" || r.name.rfind("check ", 0) == 0;
}

std::optional<double> deltaPointsScale(const MatrixRow &r)
{
    if (r.part == "blind" || r.part == "perplexity")
        return std::nullopt;
    if (isFractionRow(r))
        return 100.0;
    if (r.name == "bleu")
        return 1.0;
    return std::nullopt;
}

static json differenceJson(const std::optional<BootstrapResult> &d)
{
    if (!d)
        return nullptr;
    return {{"estimate", optionalNumber(d->estimate)},
            {"low", optionalNumber(d->interval.low)},
            {"high", optionalNumber(d->interval.high)},
            {"verdict", verdictName(d->verdict)}};
}

json matrixJson(const EvaluationMatrix &m)
{
    json rows = json::array();
    for (const MatrixRow &r : m.rows) {
        // The first run's cell at the top level, as before several runs; every run's in "runs".
        json row = {{"part", r.part},
                    {"name", r.name},
                    {"items", r.items},
                    {"base", optionalNumber(r.base)},
                    {"tuned", optionalNumber(r.tuned)},
                    {"higher_is_better", r.higherIsBetter},
                    {"note", r.note},
                    {"difference", differenceJson(r.difference)},
                    {"sign_test_p", r.signTestP ? json(*r.signTestP) : json()}};
        json cells = json::array();
        for (const auto &c : r.runs)
            cells.push_back(c ? json{{"items", c->items},
                                     {"tuned", optionalNumber(c->tuned)},
                                     {"difference", differenceJson(c->difference)},
                                     {"sign_test_p", c->signTestP ? json(*c->signTestP) : json()},
                                     {"note", c->note}}
                              : json());
        row["runs"] = std::move(cells);
        rows.push_back(std::move(row));
    }
    json runs = json::array();
    for (const MatrixRun &run : m.runs)
        runs.push_back({{"run_id", run.runId ? json(*run.runId) : json()},
                        {"name", run.name},
                        {"benchmark_evaluation", run.benchmarkEvaluation ? json(*run.benchmarkEvaluation) : json()},
                        {"domain_evaluation", run.domainEvaluation ? json(*run.domainEvaluation) : json()},
                        {"forgetting", run.forgetting},
                        {"warning", run.warning}});
    return {{"run_id", m.runId ? json(*m.runId) : json()},
            {"benchmark_evaluation", m.benchmarkEvaluation ? json(*m.benchmarkEvaluation) : json()},
            {"domain_evaluation", m.domainEvaluation ? json(*m.domainEvaluation) : json()},
            {"runs", runs},
            {"forgetting", m.forgetting},
            {"warning", m.warning},
            {"pairing", m.pairing},
            {"rows", rows}};
}

} // namespace ft
