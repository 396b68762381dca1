// eval --task domain: a domain test's predictions file scored against its references
// (ft/domainscore.h); stats: win rate, Wilson interval and sign test of a blind comparison's votes
// (ft/evalstats.h).
#include "commands.h"
#include "evalcommand.h"

#include "ft/domainscore.h"
#include "ft/error.h"
#include "ft/evalmetrics.h"
#include "ft/evalstats.h"

#include <nlohmann/json.hpp>

#include <cstdio>
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
    eval.add_option("--resamples", args->resamples, "--task domain: bootstrap resamples")->capture_default_str();
    eval.add_option("--bootstrap-seed", args->seed, "--task domain: bootstrap seed")->capture_default_str();
    return [args](const EvalCommonArgs &common) {
        if (args->predictions.empty())
            ft::throwBadInput("eval --task domain: --predictions FILE.jsonl is required (generating the answers "
                              "from --model is not built yet)");
        ft::DomainScoreOptions options;
        options.metrics = args->metrics;
        options.labels = args->labels;
        options.checks = args->checks;
        options.language = languageNamed(args->lang);
        if (args->resamples < 1 || args->resamples > 1'000'000)
            ft::throwBadInput("eval --task domain: --resamples must be 1..1000000");
        options.bootstrap.resamples = args->resamples;
        options.bootstrap.seed = args->seed;
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
