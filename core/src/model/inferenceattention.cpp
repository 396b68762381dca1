#include "model/inferenceattention.h"

#include "model/cpusgemm.h"
#include "model/fusedkernels.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ft {
namespace {

// Query rows per block: (rows x S) scores of a few hundred KB, in L2 next to the keys.
constexpr int64_t kRowsPerBlock = 96;

} // namespace

bool inferenceAttentionApplies(const torch::Tensor &q, const torch::Tensor &keys,
                               const torch::Tensor &values)
{
    for (const torch::Tensor &t : {q, keys, values})
        if (t.dim() != 4 || t.requires_grad() || !fused::applies({t}))
            return false;
    return q.size(2) % keys.size(1) == 0 && keys.sizes() == values.sizes() &&
           q.size(0) == keys.size(0) && q.size(3) == keys.size(3);
}

torch::Tensor inferenceAttention(const torch::Tensor &q, const torch::Tensor &keys,
                                 const torch::Tensor &values, int64_t past,
                                 const torch::Tensor &padding)
{
    const int64_t B = q.size(0), T = q.size(1), H = q.size(2), D = q.size(3);
    const int64_t Hkv = keys.size(1), S = keys.size(2), G = H / Hkv;
    // (B, T, Hkv, G, D) -> (B, Hkv, T * G, D): row t * G + g is the group's query head g at
    // token t, so a block of tokens is a block of rows, one GEMM against the group's keys.
    const torch::Tensor queries =
        q.view({B, T, Hkv, G, D}).permute({0, 2, 1, 3, 4}).contiguous().view({B, Hkv, T * G, D});
    torch::Tensor out = torch::empty({B, Hkv, T * G, D}, q.options());
    const torch::Tensor mask = padding.defined() ? padding.to(torch::kBool).contiguous() : padding;
    const bool *masked = mask.defined() ? mask.data_ptr<bool>() : nullptr;
    const int64_t tokensPerBlock = std::max<int64_t>(1, kRowsPerBlock / G);
    const int64_t blocks = (T + tokensPerBlock - 1) / tokensPerBlock;
    const float scale = 1.0f / std::sqrt(static_cast<float>(D));
    // Inference mode is per thread: the workers take the caller's, or they could not write
    // into `out` when it is an inference tensor.
    const bool inference = c10::InferenceMode::is_enabled();
    at::parallel_for(0, B * Hkv * blocks, 1, [&](int64_t begin, int64_t end) {
        c10::InferenceMode mode(inference);
        torch::NoGradGuard noGrad;
        torch::Tensor buffer = torch::empty({tokensPerBlock * G * S}, q.options());
        for (int64_t task = begin; task < end; ++task) {
            const int64_t block = task % blocks, b = task / blocks / Hkv, h = task / blocks % Hkv;
            const int64_t t0 = block * tokensPerBlock, t1 = std::min(T, t0 + tokensPerBlock);
            const int64_t rows = (t1 - t0) * G;
            const int64_t width = std::min(S, past + t1);  // keys the block's last token sees
            torch::Tensor scores = buffer.narrow(0, 0, rows * width).view({rows, width});
            // oneDNN, not LibTorch's OpenBLAS: on a CPU that OpenBLAS 0.3.21 does not know (an
            // AVX-512 Xeon) it runs generic SSE3 kernels, a quarter of a 512-token prompt pass.
            cpugemm::mmOut(scores, queries[b][h].narrow(0, t0 * G, rows),
                           keys[b][h].narrow(0, 0, width).t());
            float *data = scores.data_ptr<float>();
            for (int64_t r = 0; r < rows; ++r) {
                float *row = data + r * width;
                const int64_t visible = std::min(width, past + t0 + r / G + 1);
                if (masked)
                    for (int64_t j = 0; j < visible; ++j)
                        if (masked[b * S + j])
                            row[j] = std::numeric_limits<float>::lowest();
                fused::softmaxRow(row, visible, width, scale);
            }
            torch::Tensor o = out[b][h].narrow(0, t0 * G, rows);
            cpugemm::mmOut(o, scores, values[b][h].narrow(0, 0, width));
        }
    });
    return out.view({B, Hkv, T, G, D}).permute({0, 2, 1, 3, 4}).reshape({B, T, H * D});
}

} // namespace ft
