// Tokenizer throughput: encodes every string of a file (one JSON string per line) with N threads,
// each thread a contiguous chunk, counts kept in order, as Hugging Face tokenizers'
// encode_batch does with RAYON_NUM_THREADS=N (bench/bench_review.py runs both side by side).
//   ft-bench-tokenize --model PATH --texts FILE.jsonl [--threads 2] [--runs 3] [--add-special]
// Prints JSON: tokens, the best and median seconds, tokens per second, and a checksum of the ids
// (sum of id x position-in-text + 1, mod 2^64) to compare with the reference's.
#include "ft/modelfiles.h"
#include "ft/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char **argv)
{
    std::string model, texts;
    int threads = 2, runs = 3;
    bool addSpecial = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--model" && hasValue)
            model = argv[++i];
        else if (a == "--texts" && hasValue)
            texts = argv[++i];
        else if (a == "--threads" && hasValue)
            threads = std::max(1, std::atoi(argv[++i]));
        else if (a == "--runs" && hasValue)
            runs = std::max(1, std::atoi(argv[++i]));
        else if (a == "--add-special")
            addSpecial = true;
    }
    if (model.empty() || texts.empty()) {
        std::cerr << "usage: ft-bench-tokenize --model PATH --texts FILE.jsonl [--threads 2] [--runs 3] [--add-special]\n";
        return 2;
    }
    try {
        std::vector<std::string> strings;
        std::ifstream in(texts);
        for (std::string line; std::getline(in, line);)
            if (!line.empty())
                strings.push_back(nlohmann::json::parse(line).get<std::string>());
        const auto tokenizer = ft::openTokenizer(model);

        std::vector<uint64_t> counts(strings.size()), sums(strings.size());
        auto encodeRange = [&](std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                const std::vector<int32_t> ids = tokenizer->encode(strings[i], addSpecial);
                uint64_t sum = 0;
                for (std::size_t k = 0; k < ids.size(); ++k)
                    sum += uint64_t(uint32_t(ids[k])) * (k + 1);
                counts[i] = ids.size();
                sums[i] = sum;
            }
        };
        std::vector<double> seconds;
        for (int r = 0; r < runs; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            std::vector<std::thread> pool;
            // Small interleaved chunks: both threads see the same mix of lengths.
            std::atomic<std::size_t> nextChunk{0};
            const std::size_t chunk = 256;
            for (int t = 0; t < threads; ++t)
                pool.emplace_back([&] {
                    for (std::size_t c; (c = nextChunk.fetch_add(chunk)) < strings.size();)
                        encodeRange(c, std::min(strings.size(), c + chunk));
                });
            for (auto &th : pool)
                th.join();
            seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        uint64_t tokens = 0, checksum = 0;
        for (std::size_t i = 0; i < strings.size(); ++i) {
            tokens += counts[i];
            checksum += sums[i];
        }
        std::vector<double> sorted = seconds;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        nlohmann::json out = {{"texts", strings.size()},         {"tokens", tokens},
                              {"threads", threads},              {"seconds", seconds},
                              {"median_seconds", median},        {"tokens_per_second", double(tokens) / median},
                              {"checksum", std::to_string(checksum)}};
        std::cout << out.dump() << '\n';
    } catch (const std::exception &e) {
        std::cerr << "ft-bench-tokenize: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
