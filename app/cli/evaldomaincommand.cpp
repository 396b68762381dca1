// eval --task domain: a domain test's predictions file scored against its references
// (ft/domainscore.h); stats: win rate, Wilson interval and sign test of a blind comparison's votes
// (ft/evalstats.h).
#include "commands.h"
#include "evalcommand.h"

#include "ft/domainscore.h"
#include "ft/domaintest.h"
#include "ft/error.h"
#include "ft/evalresults.h"
#include "ft/model.h"
#include "ft/project.h"
#include "ft/evalmetrics.h"
#include "ft/evalstats.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

namespace ftcli {

namespace {

struct ScoreArgs
{
    std::string predictions;
    std::vector<std::string> metrics{"em", "f1", "rouge_l", "bleu"};
    std::vector<std::string> labels;
    std::vector<std::string> checks;
    std::string lang = "auto";
    int resamples = 1000;
    uint64_t seed = ft::BootstrapOptions{}.seed;
    // Generating the answers: a project split with the base model and the adapter.
    std::string dataset;
    std::string templateName;  // "": what the run trained with, else "model"
    int maxNewTokens = 128;
    float temperature = 0.0f;
    bool noPerplexity = false;
    bool noStore = false;
};

struct StatsArgs
{
    int64_t wins = 0;
    int64_t losses = 0;
    int64_t ties = 0;
    bool json = false;
};

std::string fixed(double value, int decimals = 4)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string signedFixed(double value, int decimals = 4)
{
    return (value >= 0 ? "+" : "") + fixed(value, decimals);
}

std::string pValue(double p)
{
    if (p >= 1e-4)
        return fixed(p);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1e", p);
    return buf;
}

void printScoreText(const nlohmann::json &report)
{
    std::cout << report["rows_scored"].get<int64_t>() << " rows from "
              << report["source"].get<std::string>() << " (language "
              << report["language"].get<std::string>() << ")\n";
    const bool hasBase = report["has_base"].get<bool>();
    for (const auto &[name, m] : report["metrics"].items()) {
        const bool bleu = name == "bleu";
        const double value = bleu ? m["score"].get<double>() : m["mean"].get<double>();
        std::cout << "  " << name << (bleu ? " (corpus, tok " + m["tokenizer"].get<std::string>() + ")" : "")
                  << ": " << fixed(value, bleu ? 2 : 4);
        if (hasBase) {
            const double baseValue =
                bleu ? m["base"]["score"].get<double>() : m["base_mean"].get<double>();
            const auto &d = m["difference"];
            std::cout << "  base " << fixed(baseValue, bleu ? 2 : 4) << "  difference "
                      << signedFixed(d["estimate"].get<double>(), bleu ? 2 : 4) << " [95% "
                      << signedFixed(d["low"].get<double>(), bleu ? 2 : 4) << ", "
                      << signedFixed(d["high"].get<double>(), bleu ? 2 : 4) << "] "
                      << d["verdict"].get<std::string>() << "; rows won/lost/tied "
                      << m["wins"] << "/" << m["losses"] << "/" << m["ties"] << ", sign test p "
                      << pValue(m["sign_test_p"].get<double>());
        }
        std::cout << '\n';
        if (name == "accuracy") {
            std::vector<std::string> columns = m["labels"].get<std::vector<std::string>>();
            columns.push_back(ft::kOtherLabel);
            for (const auto &reference : m["labels"]) {
                const auto &row = m["confusion"][reference.get<std::string>()];
                std::cout << "    reference " << reference.get<std::string>() << " answered as:";
                for (const std::string &predicted : columns)
                    if (row[predicted].get<int64_t>() > 0)
                        std::cout << "  " << predicted << " " << row[predicted];
                std::cout << '\n';
            }
        }
    }
    for (const auto &c : report["checks"]) {
        std::cout << "  check " << c["check"].get<std::string>() << ": "
                  << c["passed"] << " passed (" << fixed(100 * c["pass_rate"].get<double>(), 1)
                  << " %)";
        if (c["limit_reached"].get<int64_t>() > 0)
            std::cout << ", " << c["limit_reached"] << " hit the regex match limit";
        if (hasBase)
            std::cout << "; base " << c["base"]["passed"] << " ("
                      << fixed(100 * c["base"]["pass_rate"].get<double>(), 1) << " %)";
        std::cout << '\n';
    }
}

ft::LanguageChoice languageNamed(const std::string &name)
{
    if (name == "auto")
        return ft::LanguageChoice::Auto;
    if (name == "en")
        return ft::LanguageChoice::English;
    if (name == "zh")
        return ft::LanguageChoice::Chinese;
    ft::throwBadInput("eval --task domain: --lang " + name + " is not one of auto, en, zh");
}

std::atomic<bool> g_domainStop{false};
extern "C" void onDomainSignal(int)
{
    g_domainStop.store(true);
}

void printPerplexity(const nlohmann::json &perplexity)
{
    if (perplexity.is_null())
        return;
    std::cout << "  perplexity of the references (" << perplexity["tokens"] << " answer tokens): base "
              << fixed(perplexity["base"]["perplexity"].get<double>(), 3);
    if (perplexity.contains("tuned"))
        std::cout << "  tuned " << fixed(perplexity["tuned"]["perplexity"].get<double>(), 3);
    std::cout << '\n';
}

// eval --task domain --project P --dataset NAME --split S: generate, score, store.
void runProjectDomainTest(const ScoreArgs &args, const ft::DomainScoreOptions &score,
                          const EvalCommonArgs &common)
{
    if (common.model.empty())
        ft::throwBadInput("eval --task domain --project: give --model PATH");
    if (args.dataset.empty())
        ft::throwBadInput("eval --task domain --project: give --dataset NAME");
    if (common.limit < 0)
        ft::throwBadInput("--limit must be 0 (all) or more");
    if (args.maxNewTokens < 1 || args.maxNewTokens > 1'000'000)
        ft::throwBadInput("eval --task domain: --max-new-tokens must be 1..1000000");
    if (!(args.temperature >= 0.0f))
        ft::throwBadInput("eval --task domain: --temperature must be 0 (greedy) or more");
    if (!std::filesystem::is_regular_file(common.project))
        ft::throwBadInput(common.project + ": no such project file");
    ft::DomainTestOptions options;
    options.project = common.project;
    options.dataset = args.dataset;
    options.split = common.split.empty() ? "validation" : common.split;
    options.limit = common.limit;
    options.maxNewTokens = args.maxNewTokens;
    options.batchSize = common.batchSize;
    options.temperature = args.temperature;
    options.seed = common.seed;
    options.perplexity = !args.noPerplexity;
    options.score = score;
    options.stop = &g_domainStop;

    ft::LoadOptions load;
    load.requireTokenizer = true;
    const std::unique_ptr<ft::Model> model = ft::Model::open(common.model, load);
    std::string adapter;
    options.templateName = args.templateName.empty() ? "model" : args.templateName;
    if (!common.adapter.empty()) {
        adapter = resolveAdapterFolder(common.adapter);
        model->attachAdapter(adapter);
        if (const auto trained = ft::trainedWith(adapter)) {
            if (args.templateName.empty())
                options.templateName = trained->templateName;
            options.cutoffLen = trained->cutoffLen;
        }
    }
    const auto started = std::chrono::steady_clock::now();
    auto lastPrint = started - std::chrono::seconds(1);
    options.onProgress = [&](int64_t done, int64_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (done != total && now - lastPrint < std::chrono::milliseconds(200))
            return;
        lastPrint = now;
        const double seconds = std::chrono::duration<double>(now - started).count();
        const double eta = done > 0 ? seconds * double(total - done) / double(done) : 0.0;
        std::fprintf(stderr, "\rdomain test %lld/%lld passes  ETA %.0f s ", static_cast<long long>(done),
                     static_cast<long long>(total), eta);
        if (done == total)
            std::fputc('\n', stderr);
    };
    std::signal(SIGINT, onDomainSignal);
    std::signal(SIGTERM, onDomainSignal);
    const ft::DomainTestResult result = ft::runDomainTest(*model, options);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    const nlohmann::json settings = {{"dataset", args.dataset},
                                     {"split", options.split},
                                     {"template", options.templateName},
                                     {"limit", common.limit},
                                     {"max_new_tokens", args.maxNewTokens},
                                     {"temperature", args.temperature},
                                     {"seed", common.seed},
                                     {"metrics", score.metrics},
                                     {"labels", score.labels},
                                     {"checks", score.checks},
                                     {"bootstrap_resamples", score.bootstrap.resamples},
                                     {"bootstrap_seed", score.bootstrap.seed}};
    int64_t evaluationId = 0;
    if (!args.noStore) {
        ft::ProjectStore store(common.project, /*mustExist=*/true);
        evaluationId = ft::storeDomainTest(store, result, common.model, adapter, settings);
    }
    if (common.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const ft::DomainTestRow &r : result.rows)
            rows.push_back({{"row_id", r.rowId},
                            {"prompt", r.prompt},
                            {"reference", r.reference},
                            {"base_output", r.baseOutput},
                            {"tuned_output", result.hasTuned ? nlohmann::json(r.tunedOutput) : nlohmann::json()},
                            {"answer_tokens", r.answerTokens},
                            {"base_nll", r.baseNll},
                            {"tuned_nll", result.hasTuned ? nlohmann::json(r.tunedNll) : nlohmann::json()}});
        const nlohmann::json out = {{"task", "domain"},
                                    {"source", result.source},
                                    {"model", common.model},
                                    {"adapter", adapter.empty() ? nlohmann::json() : nlohmann::json(adapter)},
                                    {"settings", settings},
                                    {"evaluation_id", evaluationId},
                                    {"rows", rows},
                                    {"skipped", result.skipped},
                                    {"scores", result.scores},
                                    {"perplexity", result.perplexity},
                                    {"seconds", result.seconds}};
        std::cout << out.dump(2) << '\n';
        return;
    }
    printScoreText(result.scores);
    printPerplexity(result.perplexity);
    for (const std::string &s : result.skipped)
        std::cout << "  skipped " << s << '\n';
    if (evaluationId > 0)
        std::cout << "stored as evaluation " << evaluationId << " in " << common.project << '\n';
}

} // namespace

EvalTaskRunner addDomainEvalOptions(CLI::App &eval)
{
    auto args = std::make_shared<ScoreArgs>();
    eval.add_option("--predictions", args->predictions,
                    "--task domain: JSONL with {\"prediction\", \"reference\"[, \"base_prediction\"]} per line");
    eval.add_option("--metrics", args->metrics, "--task domain: em, f1, rouge_l, bleu, accuracy")
        ->delimiter(',')
        ->capture_default_str();
    eval.add_option("--labels", args->labels, "--task domain: accuracy's label set (comma-separated)")
        ->delimiter(',');
    eval.add_option("--check", args->checks,
                    "--task domain: per-row check of the answer: contains:TEXT, regex:RE or json (repeatable)");
    eval.add_option("--lang", args->lang, "--task domain: auto, en or zh (word splitting, BLEU tokenizer)")
        ->capture_default_str();
    eval.add_option("--dataset", args->dataset, "--task domain: the project dataset");
    eval.add_option("--template", args->templateName,
                    "--task domain: chat template (model, a built-in name or a .jinja file); default: the run's");
    eval.add_option("--max-new-tokens", args->maxNewTokens, "--task domain: answer length limit")
        ->capture_default_str();
    eval.add_option("--temperature", args->temperature, "--task domain: 0 = greedy; --seed seeds sampling")
        ->capture_default_str();
    eval.add_flag("--no-perplexity", args->noPerplexity, "--task domain: skip the references' perplexity");
    eval.add_flag("--no-store", args->noStore, "--task domain: do not store the results in the project");
    eval.add_option("--resamples", args->resamples, "--task domain: bootstrap resamples")->capture_default_str();
    eval.add_option("--bootstrap-seed", args->seed, "--task domain: bootstrap seed")->capture_default_str();
    return [args](const EvalCommonArgs &common) {
        if (args->predictions.empty() == common.project.empty())
            ft::throwBadInput("eval --task domain: give either --predictions FILE.jsonl or --project P.ftproj "
                              "--dataset NAME (answers generated by --model)");
        ft::DomainScoreOptions options;
        options.metrics = args->metrics;
        options.labels = args->labels;
        options.checks = args->checks;
        options.language = languageNamed(args->lang);
        if (args->resamples < 1 || args->resamples > 1'000'000)
            ft::throwBadInput("eval --task domain: --resamples must be 1..1000000");
        options.bootstrap.resamples = args->resamples;
        options.bootstrap.seed = args->seed;
        if (!common.project.empty())
            return runProjectDomainTest(*args, options, common);
        const auto rows = ft::readPredictionRows(args->predictions);
        const nlohmann::json report = ft::scoreDomain(rows, options, args->predictions);
        if (common.json)
            std::cout << report.dump(2) << '\n';
        else
            printScoreText(report);
    };
}

namespace {

void addStatsSubcommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<StatsArgs>();
    CLI::App *cmd = app.add_subcommand(
        "stats", "Win rate, 95% Wilson interval and sign test of votes (ties left out)");
    cmd->add_option("--wins", args->wins, "Votes for the tuned model")->required();
    cmd->add_option("--losses", args->losses, "Votes for the base model")->required();
    cmd->add_option("--ties", args->ties, "Ties (left out of rate and test)")
        ->capture_default_str();
    cmd->add_flag("--json", args->json, "Machine-readable output");
    cmd->callback([&run, args] {
        run = [args] {
            const ft::WinRate w = ft::winRate(args->wins, args->losses, args->ties);
            if (args->json) {
                const nlohmann::json out = {{"wins", w.wins},
                                            {"losses", w.losses},
                                            {"ties", w.ties},
                                            {"win_rate", w.rate},
                                            {"wilson_low", w.interval.low},
                                            {"wilson_high", w.interval.high},
                                            {"sign_test_p", w.signTestP},
                                            {"verdict", ft::verdictName(w.verdict)}};
                std::cout << out.dump(2) << '\n';
                return;
            }
            std::cout << "win rate " << fixed(w.rate) << " (" << w.wins << " wins, " << w.losses
                      << " losses, " << w.ties << " ties left out)\n"
                      << "95% Wilson interval [" << fixed(w.interval.low) << ", "
                      << fixed(w.interval.high) << "]\n"
                      << "sign test p = " << pValue(w.signTestP) << '\n'
                      << "verdict: " << ft::verdictName(w.verdict) << '\n';
        };
    });
}

} // namespace

void addStatsCommand(CLI::App &app, Runner &run)
{
    addStatsSubcommand(app, run);
}

} // namespace ftcli
