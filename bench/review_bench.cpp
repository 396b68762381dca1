// Times ft::reviewDataset on an Alpaca file repeated into a larger synthetic set: each copy gets
// a variant number in the instruction and one word of its output changed, so copies are near
// (not exact) duplicates, the hard case for the near-duplicate search.
//   ft-bench-review FILE.json [--copies 100] [--model PATH] [--cutoff 1024]
#include "ft/chattemplate.h"
#include "ft/modelfiles.h"
#include "ft/review.h"
#include "ft/tokenizer.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sys/resource.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::cerr << "usage: ft-bench-review FILE.json [--copies N] [--model PATH] [--cutoff N]\n";
        return 2;
    }
    int copies = 100;
    std::string model;
    int64_t cutoff = 1024;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--copies"))
            copies = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--model"))
            model = argv[i + 1];
        else if (!std::strcmp(argv[i], "--cutoff"))
            cutoff = std::atoll(argv[i + 1]);
    }
    std::ifstream in(argv[1]);
    const nlohmann::json doc = nlohmann::json::parse(in);
    std::vector<ft::ReviewRow> rows;
    std::mt19937 rng(1);
    int64_t id = 1;
    for (int c = 0; c < copies; ++c) {
        for (const auto &r : doc) {
            ft::ReviewRow row;
            row.rowId = id++;
            std::string user = r.value("instruction", "");
            const std::string input = r.value("input", "");
            if (!input.empty())
                user += "\n\n" + input;
            if (c > 0)
                user += " (variant " + std::to_string(c) + ")";
            std::string output = r.value("output", "");
            if (c > 0 && output.size() > 20) {
                std::size_t at = rng() % output.size();
                while (at < output.size() && output[at] != ' ')
                    ++at;
                output.insert(at, " x" + std::to_string(c));
            }
            row.messages = {{"user", user}, {"assistant", output}};
            row.split = (row.rowId % 10 == 0) ? "validation" : "train";
            rows.push_back(std::move(row));
        }
    }
    std::unique_ptr<ft::Tokenizer> tokenizer;
    ft::ReviewOptions options;
    options.cutoffLen = cutoff;
    if (!model.empty()) {
        tokenizer = ft::openTokenizer(model);
        options.tokenizer = tokenizer.get();
    }
    const auto t0 = std::chrono::steady_clock::now();
    const ft::ReviewResult result = ft::reviewDataset(rows, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("rows %zu, findings %zu, review %.2f s, peak RSS %.0f MB, tokenizer %s\n", rows.size(),
                result.findings.size(), seconds, ru.ru_maxrss / 1024.0, model.empty() ? "none" : model.c_str());
    std::printf("stages (s): %s\n", result.report["timings_s"].dump().c_str());
    std::printf("near duplicates: %s\n", [&] {
        auto nd = result.report["near_duplicates"];
        nd.erase("top_clusters");
        return nd.dump();
    }().c_str());
    std::printf("counts: %s\nscore: %s\n", result.report["counts"].dump().c_str(),
                result.report["score"]["value"].dump().c_str());
    return 0;
}
