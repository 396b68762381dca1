// Generation speed of the engine: at batch 1 time to first token and decode tokens/s; with
// BATCH > 1 (generateBatch over BATCH different prompts) the throughput, BATCH x NEW_TOKENS over
// the wall time; median of several runs, as one JSON line. Driven by bench/bench_generate.py, which times transformers on
// the same weights in the same run.
#include "ft/error.h"
#include "ft/generation.h"
#include "ft/model.h"
#include "ft/runtime.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    // As the studio runs (and finetune-cli generate): OpenMP threads sleep at once when idle.
    // Decoding itself no longer uses OpenMP (model/decodeworkers.h), and a spinning OpenMP worker
    // on a loaded machine made the prompt pass several times slower (docs/benchmarks.md).
    ft::restartWithRuntimeSettings(argv, ft::OpenMpWaits::Passive);
    if (argc < 2) {
        std::cerr << "usage: ft-bench-generate MODEL [NEW_TOKENS=64] [RUNS=5] [THREADS=0] [PROMPT_LEN=16] [BATCH=1]\n";
        return 2;
    }
    const std::string path = argv[1];
    const int newTokens = argc > 2 ? std::stoi(argv[2]) : 64;
    const int runs = argc > 3 ? std::stoi(argv[3]) : 5;
    const int threads = ft::initRuntime(argc > 4 ? std::stoi(argv[4]) : 0);
    const int promptLength = argc > 5 ? std::stoi(argv[5]) : 16;
    const int batch = argc > 6 ? std::stoi(argv[6]) : 1;
    try {
        auto model = ft::Model::open(path);
        std::vector<int32_t> prompt;
        for (int i = 0; i < promptLength; ++i)
            prompt.push_back(100 + 37 * i % std::max(1, model->info().vocabSize - 100));
        ft::GenerationOptions options;
        options.maxNewTokens = newTokens;
        options.stopAtEos = false;
        if (batch > 1) {
            std::vector<std::vector<int32_t>> prompts;
            for (int b = 0; b < batch; ++b) {
                std::vector<int32_t> p;
                for (int i = 0; i < promptLength; ++i)
                    p.push_back(100 + (37 * i + 11 * b) % std::max(1, model->info().vocabSize - 100));
                prompts.push_back(p);
            }
            ft::generateBatch(*model, prompts, options); // warm-up
            std::vector<double> throughput;
            for (int r = 0; r < runs; ++r) {
                const auto started = std::chrono::steady_clock::now();
                ft::generateBatch(*model, prompts, options);
                const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                throughput.push_back(batch * newTokens / s);
            }
            std::cout << nlohmann::json{{"engine", "finetune-studio"},
                                        {"runtime", ft::runtimeDescription()},
                                        {"threads", threads},
                                        {"batch", batch},
                                        {"prompt_tokens", promptLength},
                                        {"new_tokens", newTokens},
                                        {"runs", runs},
                                        {"tokens_per_second", median(throughput)}}
                             .dump()
                      << '\n';
            return 0;
        }
        ft::generate(*model, prompt, options);  // warm-up
        std::vector<double> ttft, tps;
        for (int r = 0; r < runs; ++r) {
            const ft::GenerationResult result = ft::generate(*model, prompt, options);
            ttft.push_back(result.timeToFirstTokenMs);
            tps.push_back(result.tokensPerSecond);
        }
        std::cout << nlohmann::json{{"engine", "finetune-studio"},
                                    {"runtime", ft::runtimeDescription()},
                                    {"threads", threads},
                                    {"prompt_tokens", promptLength},
                                    {"new_tokens", newTokens},
                                    {"runs", runs},
                                    {"time_to_first_token_ms", median(ttft)},
                                    {"tokens_per_second", median(tps)}}
                         .dump()
                  << '\n';
    } catch (const ft::Error &e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
