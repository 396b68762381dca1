// data review --project P --dataset N [--model PATH] [--template NAME] [--cutoff 1024]
//             [--threshold 0.8] [--shingle-size 5] [--word-shingles] [--row-tokens] [--list-findings] [--json]
// Reviews the dataset, stores the findings (replacing the previous review) and the report in the
// project, and prints the report with the counts per finding kind and the top clusters.
#include "datareviewcommand.h"

#include "ft/error.h"
#include "ft/modelfiles.h"
#include "ft/project.h"
#include "ft/review.h"
#include "ft/reviewstore.h"
#include "ft/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace ftcli {
namespace {

struct ReviewArgs
{
    std::string project, dataset, model, templateName = "alpaca";
    int64_t cutoff = 1024;
    double threshold = 0.8;
    int shingleSize = 5;
    bool wordShingles = false;
    bool rowTokens = false;
    bool listFindings = false;
    bool json = false;
};

void runReview(const ReviewArgs &a)
{
    ft::ProjectStore store(a.project, true);
    const ft::DatasetInfo dataset = store.dataset(a.dataset);
    std::unique_ptr<ft::Tokenizer> tokenizer;
    ft::ReviewOptions options;
    options.nearDuplicateThreshold = a.threshold;
    options.shingleSize = a.shingleSize;
    options.wordShingles = a.wordShingles;
    options.cutoffLen = a.cutoff;
    options.templateName = a.templateName;
    if (!a.model.empty()) {
        tokenizer = ft::openTokenizer(a.model);
        options.tokenizer = tokenizer.get();
    }
    const ft::StoreReviewRows rows(store, dataset.id);  // read a chunk at a time
    const ft::ReviewResult result = ft::reviewDataset(rows, options);
    ft::saveReview(store, dataset.id, result);

    const nlohmann::json &report = result.report;
    if (a.json) {
        nlohmann::json out = {{"dataset", dataset.name},
                              {"rows", rows.size()},
                              {"findings", result.findings.size()},
                              {"score", report["score"]["value"]},
                              {"counts", report["counts"]},
                              {"top_clusters",
                               {{"exact", report["exact_duplicates"]["top_clusters"]},
                                {"near", report["near_duplicates"]["top_clusters"]}}},
                              {"report", report}};
        if (a.rowTokens)
            out["row_tokens"] = result.tokenCounts;
        if (a.listFindings) {
            nlohmann::json list = nlohmann::json::array();
            for (const ft::ReviewFinding &f : result.findings)
                list.push_back({{"row", f.rowId}, {"kind", f.kind}, {"severity", ft::severityName(f.severity)},
                                {"message", f.message}, {"detail", f.detail}});
            out["finding_list"] = std::move(list);
        }
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        return;
    }
    std::printf("%s: %zu rows, %zu findings, score %.1f / 100\n", dataset.name.c_str(), rows.size(),
                result.findings.size(), report["score"]["value"].get<double>());
    for (const auto &[kind, c] : report["counts"].items())
        if (c["rows"].get<int64_t>() > 0)
            std::printf("  %-20s %lld rows\n", kind.c_str(), static_cast<long long>(c["rows"].get<int64_t>()));
    const auto &tl = report["token_lengths"];
    std::printf("tokens (%s): p50 %lld, max %lld; %lld rows over the cutoff %lld (%lld tokens lost)\n",
                tl["exact"].get<bool>() ? "exact" : "approximate", static_cast<long long>(tl["p50"].get<int64_t>()),
                static_cast<long long>(tl["max"].get<int64_t>()),
                static_cast<long long>(tl["rows_truncated"].get<int64_t>()),
                static_cast<long long>(tl["cutoff"].get<int64_t>()),
                static_cast<long long>(tl["tokens_lost"].get<int64_t>()));
    if (report.contains("documents")) { // a text dataset: the document-level summary
        const auto &d = report["documents"];
        std::string langs;
        for (const auto &[lang, n] : d["languages"].items())
            langs += (langs.empty() ? "" : ", ") + lang + " " + std::to_string(n.get<int64_t>());
        std::printf("documents: %lld (%lld empty), %lld tokens%s; %lld exact copies, %lld near-duplicate clusters; "
                    "%zu boilerplate lines; languages: %s\n",
                    static_cast<long long>(d["documents"].get<int64_t>()), static_cast<long long>(d["empty"].get<int64_t>()),
                    static_cast<long long>(d["tokens"].value("total", int64_t(0))),
                    d["tokens"].value("exact", false) ? "" : " (estimated)",
                    static_cast<long long>(d["duplicates"]["exact_copies"].get<int64_t>()),
                    static_cast<long long>(d["duplicates"]["near_duplicate_clusters"].get<int64_t>()),
                    d["boilerplate"]["lines"].size(), langs.c_str());
        for (const auto &line : d["boilerplate"]["lines"])
            std::printf("  boilerplate in %lld documents: %s\n", static_cast<long long>(line["documents"].get<int64_t>()),
                        line["line"].get<std::string>().c_str());
    }
    for (const auto &f : report["score"]["factors"])
        if (f["penalty"].get<double>() > 0)
            std::printf("  score: %s\n", f["explanation"].get<std::string>().c_str());
}

} // namespace

void addDataReviewCommand(CLI::App &data, Runner &run)
{
    auto a = std::make_shared<ReviewArgs>();
    CLI::App *cmd = data.add_subcommand("review", "Review a dataset's quality: findings per row and a report "
                                                  "(stored in the project, replacing the previous review)");
    cmd->add_option("--project", a->project, "Project file (*.ftproj)")->required();
    cmd->add_option("--dataset", a->dataset, "Dataset name")->required();
    cmd->add_option("--model", a->model, "Model folder, .gguf or tokenizer file: exact token counts");
    cmd->add_option("--template", a->templateName,
                    "Chat template for token counts: alpaca (default, as the trainer), chatml, llama3, plain, or model");
    cmd->add_option("--cutoff", a->cutoff, "Training cutoff length in tokens (default 1024)");
    cmd->add_option("--threshold", a->threshold, "Near-duplicate Jaccard threshold in (0, 1] (default 0.8)");
    cmd->add_option("--shingle-size", a->shingleSize, "Shingle size for near duplicates (default 5)");
    cmd->add_flag("--word-shingles", a->wordShingles, "Word shingles instead of character shingles");
    cmd->add_flag("--row-tokens", a->rowTokens, "With --json: the token count of every row (row_tokens)");
    cmd->add_flag("--list-findings", a->listFindings, "With --json: every finding (finding_list)");
    cmd->add_flag("--json", a->json, "Print JSON");
    cmd->callback([&run, a] { run = [a] { runReview(*a); }; });
}

} // namespace ftcli
