// Training attention alone (model/segmentattention.h): forward and backward of one padding-free
// row of sequences with SmolLM2-135M's heads (9 query heads over 3 K/V heads of 64), the median
// of the repeats, as one JSON line; bench/bench_attention.py runs it beside PyTorch's
// scaled_dot_product_attention (causal, grouped-query) on the same shapes and threads.
// Usage: ft-bench-attention THREADS REPEATS LENGTH [LENGTH ...]
#include "ft/runtime.h"
#include "model/segmentattention.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::cerr << "usage: ft-bench-attention THREADS REPEATS LENGTH [LENGTH ...]\n";
        return 2;
    }
    const int threads = ft::initRuntime(std::stoi(argv[1]));
    const int repeats = std::stoi(argv[2]);
    std::vector<int64_t> segments;
    int64_t N = 0;
    for (int i = 3; i < argc; ++i) {
        segments.push_back(std::stoll(argv[i]));
        N += segments.back();
    }
    const int64_t H = 9, Hkv = 3, D = 64;
    torch::manual_seed(1);
    const torch::Tensor q = torch::randn({1, N, H, D}).requires_grad_(true);
    const torch::Tensor k = torch::randn({1, N, Hkv, D}).requires_grad_(true);
    const torch::Tensor v = torch::randn({1, N, Hkv, D}).requires_grad_(true);
    const torch::Tensor probe = torch::randn({1, N, H * D});
    std::vector<double> forwards, backwards;
    for (int rep = 0; rep < repeats + 1; ++rep) {  // the first is a warm-up
        const auto t0 = std::chrono::steady_clock::now();
        const torch::Tensor out = ft::segmentAttention(q, k, v, segments);
        const auto t1 = std::chrono::steady_clock::now();
        out.backward(probe);
        const auto t2 = std::chrono::steady_clock::now();
        if (rep > 0) {
            forwards.push_back(std::chrono::duration<double>(t1 - t0).count());
            backwards.push_back(std::chrono::duration<double>(t2 - t1).count());
        }
        for (const torch::Tensor &t : {q, k, v})
            const_cast<torch::Tensor &>(t).mutable_grad() = torch::Tensor();
    }
    const auto median = [](std::vector<double> x) {
        std::sort(x.begin(), x.end());
        return x[x.size() / 2];
    };
    nlohmann::json out = {{"threads", threads}, {"segments", segments},
                          {"forward_s", median(forwards)}, {"backward_s", median(backwards)}};
    std::cout << out.dump() << "\n";
    return 0;
}
