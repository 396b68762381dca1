// The self-contained HTML evaluation report (ft/evalreport.h).
#include "ft/evalreport.h"

#include "eval/svgchart.h"
#include "ft/error.h"
#include "ft/evalmatrix.h"
#include "ft/evalstore.h"
#include "ft/project.h"
#include "ft/runstore.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>

using nlohmann::json;

namespace ft {
namespace {

std::string fixed(double v, int decimals)
{
    if (!std::isfinite(v))
        return "—";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

bool percentRow(const MatrixRow &r)
{
    return isFractionRow(r);
}

const char *const kRunColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};

std::string cell(const std::optional<double> &v, bool percent)
{
    if (!v)
        return "—";
    return percent ? fixed(100 * *v, 1) + " %" : fixed(*v, 3);
}

std::string signedCell(double v, bool percent)
{
    return (v >= 0 ? "+" : "") + (percent ? fixed(100 * v, 1) : fixed(v, 3));
}

std::string differenceCell(const MatrixRow &r, const MatrixCell &c, bool percent)
{
    std::string text = "—";
    if (c.difference && r.part == "blind")
        text = "win rate " + cell(c.difference->estimate, true) + " [" + cell(c.difference->interval.low, true) +
               ", " + cell(c.difference->interval.high, true) + "], sign test p " +
               fixed(c.signTestP.value_or(1.0), 4);
    else if (c.difference)
        text = signedCell(c.difference->estimate, percent) + " [" + signedCell(c.difference->interval.low, percent) +
               ", " + signedCell(c.difference->interval.high, percent) + "] " + verdictName(c.difference->verdict);
    return htmlEscape(text) + (c.note.empty() ? "" : "<br><small>" + htmlEscape(c.note) + "</small>");
}

// Part | Metric | Base | each run's tuned value | each run's difference [95 % interval] | n
std::string matrixTable(const EvaluationMatrix &m)
{
    const bool several = m.runs.size() > 1;
    std::string html = "<table><tr><th>Part</th><th>Metric</th><th>Base</th>";
    for (const MatrixRun &run : m.runs)
        html += "<th>" + (several ? htmlEscape(run.name) : std::string("Tuned")) + "</th>";
    for (const MatrixRun &run : m.runs)
        html += "<th>" + (several ? htmlEscape(run.name) + " − base" : std::string("Difference")) +
                " [95 % interval]</th>";
    html += "<th>n</th></tr>\n";
    for (const MatrixRow &r : m.rows) {
        const bool percent = percentRow(r);
        html += "<tr><td>" + htmlEscape(r.part) + "</td><td>" + htmlEscape(r.name) + "</td><td>" +
                cell(r.base, percent) + "</td>";
        for (const auto &c : r.runs)
            html += "<td>" + (c ? cell(c->tuned, percent) : std::string("—")) + "</td>";
        for (const auto &c : r.runs)
            html += "<td>" + (c ? differenceCell(r, *c, percent) : std::string("—")) + "</td>";
        html += "<td>" + std::to_string(r.items) + "</td></tr>\n";
    }
    return html + "</table>\n";
}

// step -> loss and eval_loss of a run folder's metrics.jsonl (bad lines skipped).
std::string lossCurve(const std::string &folder)
{
    std::ifstream in(std::filesystem::path(folder) / "metrics.jsonl");
    if (!in)
        return "<p>No metrics.jsonl in the run folder.</p>";
    SvgSeries loss{"train loss", "#1f77b4", {}}, evalLoss{"eval loss", "#ff7f0e", {}};
    std::string line;
    while (std::getline(in, line)) {
        const json j = json::parse(line, nullptr, false);
        if (!j.is_object() || !j.contains("step") || !j["step"].is_number())
            continue;
        const double step = j["step"].get<double>();
        if (j.contains("loss") && j["loss"].is_number())
            loss.points.emplace_back(step, j["loss"].get<double>());
        if (j.contains("eval_loss") && j["eval_loss"].is_number())
            evalLoss.points.emplace_back(step, j["eval_loss"].get<double>());
    }
    std::vector<SvgSeries> series{loss};
    if (!evalLoss.points.empty())
        series.push_back(evalLoss);
    const std::string svg = svgLineChart(series, "step", "loss");
    return svg.empty() ? "<p>The run logged no loss.</p>" : svg;
}

std::string dataSummary(const ProjectStore &store, const std::string &dataset)
{
    const auto spec = parseProjectDataset(dataset);
    const std::string name = spec ? spec->second : dataset;
    const auto info = store.findDataset(name);
    if (!info)
        return "<p>Data: " + htmlEscape(dataset) + "</p>";
    std::string html = "<p>Dataset <b>" + htmlEscape(info->name) + "</b> (" + htmlEscape(info->format) + ", from " +
                       htmlEscape(info->sourcePath) + "): " + std::to_string(info->rowCount) + " rows, " +
                       std::to_string(store.rowCount(info->id, RowStatus::Excluded)) + " excluded";
    if (store.hasSplits(info->id)) {
        const SplitCounts c = store.splitCounts(info->id);
        html += "; split " + std::to_string(c.train) + " train / " + std::to_string(c.validation) +
                " validation / " + std::to_string(c.test) + " test";
    }
    return html + ".</p>";
}

std::string categoryChart(const EvaluationMatrix &m)
{
    std::vector<SvgBarGroup> groups;
    const std::string prefix = "accuracy: ";
    for (const MatrixRow &r : m.rows)
        if (r.part == "benchmark" && r.name.rfind(prefix, 0) == 0)
        {
            SvgBarGroup g{r.name.substr(prefix.size()), {r.base.value_or(0)}};
            for (const auto &c : r.runs)
                g.values.push_back(c && c->tuned ? *c->tuned : 0.0);
            groups.push_back(std::move(g));
        }
    std::vector<std::string> names{"base"};
    for (const MatrixRun &run : m.runs)
        names.push_back(m.runs.size() > 1 ? run.name : "tuned");
    std::vector<std::string> colours{"#9e9e9e"};
    for (std::size_t i = 0; i < m.runs.size(); ++i)
        colours.push_back(kRunColours[i % 6]);
    return svgBarChart(groups, names, colours);
}

// tuned - base per metric row and run, in points, with the 95 % interval as whiskers.
std::string deltaChart(const EvaluationMatrix &m)
{
    std::vector<SvgDeltaRow> rows;
    for (const MatrixRow &r : m.rows) {
        const auto scale = deltaPointsScale(r);
        if (!scale)
            continue;
        SvgDeltaRow row{r.name, {}};
        bool any = false;
        for (const auto &c : r.runs) {
            if (c && c->difference) {
                row.values.push_back(SvgDelta{*scale * c->difference->estimate, *scale * c->difference->interval.low,
                                              *scale * c->difference->interval.high});
                any = true;
            } else {
                row.values.emplace_back();
            }
        }
        if (any)
            rows.push_back(std::move(row));
    }
    std::vector<std::string> names, colours;
    for (std::size_t i = 0; i < m.runs.size(); ++i) {
        names.push_back(m.runs.size() > 1 ? m.runs[i].name : "tuned");
        colours.push_back(kRunColours[i % 6]);
    }
    return svgDeltaChart(rows, names, colours, "tuned - base (points, 95% interval)");
}

std::string evaluationList(const ProjectStore &store, std::optional<int64_t> id, const char *what)
{
    if (!id)
        return "<p>No " + std::string(what) + " stored for this run.</p>";
    const auto e = findEvaluation(store, *id);
    if (!e)
        return "";
    return "<p>" + std::string(what) + ": <code>" + htmlEscape(e->source) + "</code>, " + htmlEscape(e->createdAt) +
           ", settings <code>" + htmlEscape(e->settings.dump()) + "</code></p>";
}

} // namespace

std::string evaluationReportHtml(const ProjectStore &store, std::optional<int64_t> runId)
{
    return evaluationReportHtml(store, runId ? std::vector<int64_t>{*runId} : std::vector<int64_t>{});
}

std::string evaluationReportHtml(const ProjectStore &store, const std::vector<int64_t> &runIds)
{
    std::vector<RunRecord> runs;
    for (int64_t id : runIds) {
        auto run = findRun(store, id);
        if (!run)
            throwBadInput(store.path().string() + ": no run with id " + std::to_string(id));
        runs.push_back(std::move(*run));
    }
    const EvaluationMatrix m = evaluationMatrix(store, runIds);
    std::string model;
    for (const RunRecord &run : runs)
        if (model.empty())
            model = run.baseModel;
    if (model.empty())
        for (const EvaluationRecord &e : listEvaluations(store, runIds.empty() ? std::nullopt : m.runId))
            if (!e.model.empty()) {
                model = e.model;
                break;
            }
    std::string names;
    for (const RunRecord &run : runs)
        names += (names.empty() ? "" : ", ") + run.name;
    const std::string title = "Evaluation report" + (names.empty() ? std::string() : ": " + names);
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + htmlEscape(title) +
                       "</title>\n<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
                       "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
                       ".warning{background:#fff3cd;border:1px solid #e0a800;padding:8px}"
                       "pre{background:#f6f6f6;padding:8px;overflow:auto}</style></head><body>\n";
    html += "<h1>" + htmlEscape(title) + "</h1>\n";
    html += "<p>Project <code>" + htmlEscape(store.path().string()) + "</code>; base model <code>" +
            htmlEscape(model) + "</code></p>\n";
    for (const MatrixRun &run : m.runs)
        if (run.forgetting)
            html += "<p class=\"warning\">" + htmlEscape((m.runs.size() > 1 ? run.name + ": " : "") + run.warning) +
                    "</p>\n";
    html += "<h2>Evaluation matrix</h2>\n";
    if (!m.pairing.empty())
        html += "<p class=\"pairing\">" + htmlEscape(m.pairing) + "</p>\n";
    html += matrixTable(m);
    for (const MatrixRun &run : m.runs) {
        const std::string prefix = m.runs.size() > 1 ? run.name + ": " : "";
        html += evaluationList(store, run.benchmarkEvaluation, (prefix + "Benchmark").c_str());
        html += evaluationList(store, run.domainEvaluation, (prefix + "Domain test").c_str());
    }
    const std::string chart = categoryChart(m);
    if (!chart.empty())
        html += "<h2>Benchmark accuracy per category</h2>\n" + chart + "\n";
    const std::string deltas = deltaChart(m);
    if (!deltas.empty())
        html += "<h2>Metric deltas (tuned − base)</h2>\n" + deltas + "\n";
    for (const RunRecord &run : runs) {
        html += "<h2>The run " + htmlEscape(run.name) + "</h2>\n<p>" + htmlEscape(run.name) + ": " +
                runStatusName(run.status) + ", " + std::to_string(run.steps) + " steps" +
                (run.finalLoss ? ", final loss " + fixed(*run.finalLoss, 4) : std::string()) + "; folder <code>" +
                htmlEscape(run.folder) + "</code></p>\n";
        html += dataSummary(store, run.dataset);
        html += "<h3>Loss</h3>\n" + lossCurve(run.folder) + "\n";
        html += "<h3>Settings</h3>\n<pre>" + htmlEscape(run.config.dump(2)) + "</pre>\n";
    }
    return html + "</body></html>\n";
}

void writeEvaluationReport(const ProjectStore &store, std::optional<int64_t> runId, const std::filesystem::path &out)
{
    writeEvaluationReport(store, runId ? std::vector<int64_t>{*runId} : std::vector<int64_t>{}, out);
}

void writeEvaluationReport(const ProjectStore &store, const std::vector<int64_t> &runIds, const std::filesystem::path &out)
{
    const std::string html = evaluationReportHtml(store, runIds);
    const std::filesystem::path tmp = out.parent_path() / ("." + out.filename().string() + ".tmp");
    {
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        file << html;
        file.flush();
        if (!file) {
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throwBadInput(out.string() + ": cannot write the report");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, out, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throwBadInput(out.string() + ": cannot write the report (" + ec.message() + ")");
    }
}

} // namespace ft
