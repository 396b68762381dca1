// eval --task benchmark: --model PATH [--adapter DIR] --benchmark DIR_OR_FILE [--split
// test|val|dev]
// [--shots K] [--limit N] [--seed S] [--subjects a,b] [--prompt-style auto|mmlu|ceval|cmmlu]
// [--chat-template] [--json]
#include "evalcommand.h"

#include "ft/benchmark.h"
#include "ft/benchmarkeval.h"
#include "ft/error.h"
#include "ft/evalresults.h"
#include "ft/model.h"
#include "ft/project.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

namespace fs = std::filesystem;

namespace ftcli {

std::string resolveAdapterFolder(const std::string &adapterOrRun)
{
    const fs::path path(adapterOrRun);
    if (fs::is_regular_file(path / "adapter_config.json"))
        return path.string();
    const fs::path final = path / "final"; // a run's output_dir (ft::exportRun reads the same)
    if (fs::is_regular_file(final / "adapter_config.json"))
        return final.string();
    if (fs::is_regular_file(final / "config.json"))
        ft::throwBadInput(adapterOrRun +
                          ": the run fine-tuned the whole model; evaluate it with --model " +
                          final.string());
    if (fs::is_directory(path) && fs::exists(path / "training_config.json"))
        ft::throwBadInput(adapterOrRun + ": no final/ folder (the run has not finished)");
    ft::throwBadInput(adapterOrRun +
                      ": not a PEFT adapter folder (no adapter_config.json) nor a run folder");
}

namespace {

std::atomic<bool> g_stop{false};
extern "C" void onEvalSignal(int)
{
    g_stop.store(true);
}

struct BenchmarkArgs
{
    std::string benchmark;
    std::string split = "test";
    int shots = 0;
    std::string subjects; // comma-separated
    std::string style = "auto";
    bool chatTemplate = false;
};

std::vector<std::string> splitList(const std::string &text)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = std::min(text.find(',', start), text.size());
        std::string item = text.substr(start, end - start);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty())
            out.push_back(item);
        start = end + 1;
    }
    return out;
}

nlohmann::ordered_json scoreJson(const ft::AccuracyScore &s)
{
    return {{"count", s.count}, {"acc", s.acc}, {"acc_norm", s.accNorm}};
}

nlohmann::ordered_json reportJson(const ft::BenchmarkReport &report, const EvalCommonArgs &common,
                                  const std::string &adapter, const std::string &split)
{
    using nlohmann::ordered_json;
    ordered_json out;
    out["task"] = "benchmark";
    out["benchmark"] = report.benchmark;
    out["model"] = common.model;
    out["adapter"] = adapter.empty() ? ordered_json() : ordered_json(adapter);
    out["prompt_style"] = ft::promptStyleName(report.style);
    out["split"] = split;
    out["shots"] = report.shots;
    ordered_json items = ordered_json::array();
    for (const ft::BenchmarkItemResult &r : report.items) {
        ordered_json lls = ordered_json::array(), greedy = ordered_json::array();
        for (const ft::ChoiceResult &c : r.choices) {
            lls.push_back(c.logLikelihood);
            greedy.push_back(c.isGreedy);
        }
        items.push_back({{"subject", r.subject},
                         {"source", r.source},
                         {"prompt", r.prompt},
                         {"continuations", r.continuations},
                         {"loglikelihoods", lls},
                         {"is_greedy", greedy},
                         {"prediction", ft::choiceLabel(r.prediction)},
                         {"prediction_norm", ft::choiceLabel(r.predictionNorm)},
                         {"gold", ft::choiceLabel(r.gold)},
                         {"correct", r.prediction == r.gold}});
    }
    out["items"] = std::move(items);
    out["overall"] = scoreJson(report.overall);
    out["subjects"] = ordered_json::object();
    for (const auto &[name, s] : report.subjects)
        out["subjects"][name] = scoreJson(s);
    out["categories"] = ordered_json::object();
    for (const auto &[name, s] : report.categories)
        out["categories"][name] = scoreJson(s);
    out["seconds"] = report.seconds;
    out["questions_per_second"] =
        report.seconds > 0 ? double(report.items.size()) / report.seconds : 0.0;
    out["forward_tokens"] = report.forwardTokens;
    return out;
}

void printTable(const ft::BenchmarkReport &report, const ft::Benchmark &benchmark)
{
    std::map<std::string, std::string> categoryOf;
    for (const ft::BenchmarkSubject &s : benchmark.subjects)
        categoryOf[s.name] = s.category;
    std::printf("%s, %d-shot, prompt style %s\n\n", report.benchmark.c_str(), report.shots,
                ft::promptStyleName(report.style));
    std::printf("%-40s %-16s %6s %8s\n", "subject", "category", "n", "acc");
    for (const auto &[name, s] : report.subjects)
        std::printf("%-40s %-16s %6lld %7.2f%%\n", name.c_str(), categoryOf[name].c_str(),
                    static_cast<long long>(s.count), 100.0 * s.acc);
    if (!report.categories.empty()) {
        std::printf("\n%-57s %6s %8s\n", "category", "n", "acc");
        for (const auto &[name, s] : report.categories)
            std::printf("%-57s %6lld %7.2f%%\n", name.c_str(), static_cast<long long>(s.count),
                        100.0 * s.acc);
    }
    std::printf("\n%-57s %6lld %7.2f%%   (acc_norm %.2f%%)\n", "overall",
                static_cast<long long>(report.overall.count), 100.0 * report.overall.acc,
                100.0 * report.overall.accNorm);
    std::printf("%.1f s, %.2f questions/s\n", report.seconds,
                report.seconds > 0 ? double(report.items.size()) / report.seconds : 0.0);
}

void runBenchmark(const BenchmarkArgs &args, const EvalCommonArgs &common)
{
    if (common.model.empty())
        ft::throwBadInput("eval: give --model PATH");
    if (args.benchmark.empty())
        ft::throwBadInput("eval --task benchmark: give --benchmark DIR_OR_FILE");
    if (common.limit < 0)
        ft::throwBadInput("--limit must be 0 (all) or more");
    ft::BenchmarkReadOptions read;
    read.split = ft::parseBenchmarkSplit(args.split);
    read.style = ft::parsePromptStyle(args.style);
    read.subjects = splitList(args.subjects);
    const ft::Benchmark benchmark = ft::readBenchmark(args.benchmark, read);

    ft::LoadOptions load;
    load.requireTokenizer = true;
    const std::unique_ptr<ft::Model> model = ft::Model::open(common.model, load);
    std::string adapter;
    if (!common.adapter.empty()) {
        adapter = resolveAdapterFolder(common.adapter);
        model->attachAdapter(adapter);
    }

    ft::BenchmarkEvalOptions options;
    options.shots = args.shots;
    options.limit = common.limit;
    options.seed = common.seed;
    options.chatTemplate = args.chatTemplate;
    options.batchSize = common.batchSize;
    options.stop = &g_stop;
    auto lastPrint = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    const auto started = std::chrono::steady_clock::now();
    options.onProgress = [&](int64_t done, int64_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (done != total && now - lastPrint < std::chrono::milliseconds(200))
            return;
        lastPrint = now;
        const double seconds = std::chrono::duration<double>(now - started).count();
        std::fprintf(stderr, "\reval %lld/%lld questions  %.2f q/s ", static_cast<long long>(done),
                     static_cast<long long>(total), seconds > 0 ? double(done) / seconds : 0.0);
        if (done == total)
            std::fputc('\n', stderr);
    };
    std::signal(SIGINT, onEvalSignal);
    std::signal(SIGTERM, onEvalSignal);
    const ft::BenchmarkReport report = ft::evaluateBenchmark(*model, benchmark, options);
    if (!common.project.empty()) {
        // The project keeps base and tuned side by side: score the base too (adapter off).
        std::optional<ft::BenchmarkReport> base;
        if (model->hasAdapter()) {
            options.useAdapter = false;
            base = ft::evaluateBenchmark(*model, benchmark, options);
        }
        std::map<std::string, std::string> categoryOf;
        for (const ft::BenchmarkSubject &s : benchmark.subjects)
            categoryOf[s.name] = s.category;
        const nlohmann::json settings = {{"benchmark", args.benchmark}, {"split", args.split},
                                         {"shots", args.shots},         {"limit", common.limit},
                                         {"seed", common.seed},         {"subjects", args.subjects},
                                         {"prompt_style", args.style},  {"chat_template", args.chatTemplate}};
        ft::ProjectStore store(common.project, /*mustExist=*/true);
        const int64_t id = base ? ft::storeBenchmark(store, *base, &report, categoryOf, common.model, adapter, settings)
                                : ft::storeBenchmark(store, report, nullptr, categoryOf, common.model, adapter, settings);
        std::fprintf(stderr, "stored as evaluation %lld in %s\n", static_cast<long long>(id),
                     common.project.c_str());
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (common.json)
        std::cout << reportJson(report, common, adapter, args.split).dump(1) << '\n';
    else
        printTable(report, benchmark);
}

} // namespace

EvalTaskRunner addBenchmarkEvalOptions(CLI::App &eval)
{
    auto args = std::make_shared<BenchmarkArgs>();
    eval.add_option(
        "--benchmark", args->benchmark,
        "Benchmark folder (MMLU / C-Eval / CMMLU CSVs) or JSONL file (--task benchmark)");
    eval.add_option("--shots", args->shots, "Few-shot examples from the dev split (0-5)")
        ->capture_default_str();
    eval.add_option("--subjects", args->subjects, "Only these subjects (comma-separated)");
    eval.add_option("--prompt-style", args->style,
                    "Prompt template: auto, mmlu (English), ceval or cmmlu (Chinese)")
        ->capture_default_str();
    eval.add_flag("--chat-template", args->chatTemplate,
                  "Wrap each prompt as a user turn in the model's chat template");
    return [args](const EvalCommonArgs &common) {
        BenchmarkArgs withSplit = *args;
        if (!common.split.empty())
            withSplit.split = common.split;
        runBenchmark(withSplit, common);
    };
}

void addEvalCommand(CLI::App &app, Runner &run)
{
    CLI::App *cmd = app.add_subcommand(
        "eval", "Evaluate a model (and an adapter) on a benchmark or a domain task");
    auto common = std::make_shared<EvalCommonArgs>();
    auto task = std::make_shared<std::string>("benchmark");
    cmd->add_option("--task", *task, "benchmark (multiple choice, default) or domain")
        ->capture_default_str();
    cmd->add_option("--model", common->model, "Hugging Face folder or .gguf file");
    cmd->add_option("--adapter", common->adapter,
                    "PEFT adapter folder, or a training run's output_dir");
    cmd->add_option("--limit", common->limit, "At most N questions per subject (0 = all)");
    cmd->add_option("--seed", common->seed,
                    "Benchmark: pick the --limit questions at random with this seed (0 = the first N); "
                    "domain: the sampling seed (base and tuned alike; --limit takes the first N rows)");
    cmd->add_option("--project", common->project,
                    "Store the results in this project (P.ftproj); domain: the rows come from its --dataset");
    cmd->add_option("--split", common->split,
                    "Split: benchmark test (default), val or dev; domain validation (default) or test");
    cmd->add_flag("--json", common->json, "Print every item and the accuracies as JSON");
    cmd->add_option("--batch-size", common->batchSize,
                    "Benchmark: questions of a subject scored together; domain: rows generated "
                    "together (1 = one by one)")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    auto tasks = std::make_shared<std::map<std::string, EvalTaskRunner>>();
    (*tasks)["benchmark"] = addBenchmarkEvalOptions(*cmd);
    (*tasks)["domain"] = addDomainEvalOptions(*cmd);
    cmd->callback([&run, common, task, tasks] {
        run = [common, task, tasks] {
            const auto it = tasks->find(*task);
            if (it == tasks->end())
                ft::throwBadInput("eval: unknown --task '" + *task + "'");
            it->second(*common);
        };
    });
}

} // namespace ftcli
