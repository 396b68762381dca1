// This machine's fp32 matmul throughput: the denominator of the training utilisation that
// bench/bench_train.py reports (6 x parameters x tokens / time). Shapes are a training step's
// GEMMs for a 576-wide, 1536-MLP model at 2048 tokens, plus a square one, each through
// LibTorch's matmul (OpenBLAS in Debian's LibTorch) and through oneDNN's sgemm (model/cpusgemm.h,
// what training uses); the best of either is the rate (on a CPU OpenBLAS 0.3.21 does not know,
// its generic kernels run at a fifth of oneDNN's). Prints one JSON line with GFLOP/s per shape. "inference": the
// prefill GEMMs of MMLU eval on SmolLM2-135M (8 questions x 110 tokens against q/k/v, o,
// gate/up and down; the LM head over 8 rows), LibTorch's linear (OpenBLAS) against oneDNN's
// sgemm (model/inferencelinear.h, what inference uses).
#include "ft/runtime.h"
#include "model/cpusgemm.h"
#include "model/inferencelinear.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>

int main(int argc, char **argv)
{
    const int threads = ft::initRuntime(argc > 1 ? std::stoi(argv[1]) : 0);
    torch::NoGradGuard noGrad;
    struct Shape { int64_t m, k, n; };
    const Shape shapes[] = {{2048, 576, 1536}, {2048, 1536, 576}, {2048, 576, 576},
                            {1024, 1024, 1024}};
    nlohmann::json out = {{"threads", threads}, {"shapes", nlohmann::json::array()}};
    double best = 0.0;
    for (const Shape &s : shapes) {
        const torch::Tensor a = torch::randn({s.m, s.k}), b = torch::randn({s.k, s.n});
        const double flop = 2.0 * static_cast<double>(s.m * s.k * s.n);
        const auto rate = [&](auto &&run) {
            torch::Tensor c = run();  // warm-up
            double fastest = 1e30;
            for (int rep = 0; rep < 10; ++rep) {
                const auto t0 = std::chrono::steady_clock::now();
                c = run();
                fastest = std::min(fastest, std::chrono::duration<double>(
                                                std::chrono::steady_clock::now() - t0).count());
            }
            return flop / fastest / 1e9;
        };
        const double libtorch = rate([&] { return torch::matmul(a, b); });
        const double onednn = rate([&] { return ft::cpugemm::matmul(a, false, b, false); });
        const double gflops = std::max(libtorch, onednn);
        best = std::max(best, gflops);
        out["shapes"].push_back({{"m", s.m}, {"k", s.k}, {"n", s.n}, {"gflops", gflops},
                                 {"libtorch_gflops", libtorch}, {"onednn_gflops", onednn}});
    }
    out["best_gflops"] = best;
    const Shape inference[] = {{880, 576, 960}, {880, 576, 576}, {880, 576, 3072},
                               {880, 1536, 576}, {8, 576, 49152}};
    out["inference"] = nlohmann::json::array();
    for (const Shape &s : inference) {
        const torch::Tensor x = torch::randn({s.m, s.k}), w = torch::randn({s.n, s.k});
        const double flop = 2.0 * static_cast<double>(s.m * s.k * s.n);
        auto rate = [&](auto &&run) {
            run();  // warm-up
            double fastest = 1e30;
            for (int rep = 0; rep < 10; ++rep) {
                const auto t0 = std::chrono::steady_clock::now();
                run();
                fastest = std::min(fastest, std::chrono::duration<double>(
                                                std::chrono::steady_clock::now() - t0).count());
            }
            return flop / fastest / 1e9;
        };
        const double libtorch = rate([&] { return torch::linear(x, w); });
        const double onednn = rate([&] { return ft::inferenceLinear(x, w, torch::Tensor()); });
        out["inference"].push_back({{"m", s.m}, {"k", s.k}, {"n", s.n},
                                    {"libtorch_gflops", libtorch}, {"onednn_gflops", onednn}});
    }
    std::cout << out.dump() << std::endl;
    return 0;
}
