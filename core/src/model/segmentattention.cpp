#include "model/segmentattention.h"

#include "model/fusedkernels.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include <cmath>

namespace ft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Where each segment starts in the row and where its (H, T, T) probabilities start in the flat
// buffer that keeps them for the backward pass.
struct Layout
{
    std::vector<int64_t> lengths, starts, probOffsets;
    int64_t probFloats = 0;

    Layout(const std::vector<int64_t> &segments, int64_t heads) : lengths(segments)
    {
        int64_t start = 0;
        for (int64_t length : segments) {
            starts.push_back(start);
            probOffsets.push_back(probFloats);
            start += length;
            probFloats += heads * length * length;
        }
    }
};

// Rows [start, start + length) of head h of x (1, N, heads, D): a (length, D) view.
torch::Tensor headRows(const torch::Tensor &x, int64_t start, int64_t length, int64_t h)
{
    return x.select(0, 0).narrow(0, start, length).select(1, h);
}

// Runs task(segment, kvHead) for every pair, spread over LibTorch's threads; GEMMs inside run on
// the calling thread. Autograd records nothing here (grad mode is per thread).
template <typename Task>
void forEachSegmentAndKvHead(const Layout &layout, int64_t kvHeads, const Task &task)
{
    const int64_t count = static_cast<int64_t>(layout.lengths.size()) * kvHeads;
    at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
        torch::NoGradGuard noGrad;
        for (int64_t i = begin; i < end; ++i)
            task(i / kvHeads, i % kvHeads);
    });
}

struct SegmentAttention : torch::autograd::Function<SegmentAttention>
{
    static torch::Tensor forward(AutogradContext *ctx, const torch::Tensor &qIn,
                                 const torch::Tensor &kIn, const torch::Tensor &vIn,
                                 std::vector<int64_t> segments)
    {
        const torch::Tensor q = qIn.detach(), k = kIn.detach(), v = vIn.detach();
        const int64_t N = q.size(1), H = q.size(2), D = q.size(3), Hkv = k.size(2), G = H / Hkv;
        const float scale = 1.0f / std::sqrt(static_cast<float>(D));
        const Layout layout(segments, H);
        torch::Tensor probs = torch::empty({layout.probFloats}, q.options());
        torch::Tensor out = torch::empty({1, N, H, D}, q.options());
        forEachSegmentAndKvHead(layout, Hkv, [&](int64_t s, int64_t g) {
            const int64_t T = layout.lengths[s], start = layout.starts[s];
            const torch::Tensor keys = headRows(k, start, T, g), values = headRows(v, start, T, g);
            for (int64_t h = g * G; h < (g + 1) * G; ++h) {
                torch::Tensor p = probs.narrow(0, layout.probOffsets[s] + h * T * T, T * T).view({T, T});
                torch::mm_out(p, headRows(q, start, T, h), keys.t());
                fused::causalSoftmax(p.data_ptr<float>(), T, T, scale);
                torch::Tensor o = headRows(out, start, T, h);
                torch::mm_out(o, p, values);
            }
        });
        ctx->save_for_backward({q, k, v, probs});
        ctx->saved_data["segments"] = segments;
        return out.view({1, N, H * D});
    }

    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor q = saved[0].detach(), k = saved[1].detach(), v = saved[2].detach();
        const torch::Tensor probs = saved[3].detach();
        const std::vector<int64_t> segments = ctx->saved_data["segments"].toIntVector();
        const int64_t N = q.size(1), H = q.size(2), D = q.size(3), Hkv = k.size(2), G = H / Hkv;
        const float scale = 1.0f / std::sqrt(static_cast<float>(D));
        const torch::Tensor gradOut = grads[0].detach().contiguous().view({1, N, H, D});
        const Layout layout(segments, H);
        torch::Tensor dq = torch::empty({1, N, H, D}, q.options());
        torch::Tensor dk = torch::empty({1, N, Hkv, D}, k.options());
        torch::Tensor dv = torch::empty({1, N, Hkv, D}, v.options());
        forEachSegmentAndKvHead(layout, Hkv, [&](int64_t s, int64_t g) {
            const int64_t T = layout.lengths[s], start = layout.starts[s];
            const torch::Tensor keys = headRows(k, start, T, g), values = headRows(v, start, T, g);
            torch::Tensor dKeys = headRows(dk, start, T, g), dValues = headRows(dv, start, T, g);
            torch::Tensor dScores = torch::empty({T, T}, q.options());
            for (int64_t h = g * G; h < (g + 1) * G; ++h) {
                const torch::Tensor p = probs.narrow(0, layout.probOffsets[s] + h * T * T, T * T).view({T, T});
                const torch::Tensor dO = headRows(gradOut, start, T, h), queries = headRows(q, start, T, h);
                torch::mm_out(dScores, dO, values.t());
                fused::causalSoftmaxBackward(dScores.data_ptr<float>(), p.data_ptr<float>(), T, T, scale);
                torch::Tensor dQ = headRows(dq, start, T, h);
                torch::mm_out(dQ, dScores, keys);
                if (h == g * G) {
                    torch::mm_out(dKeys, dScores.t(), queries);
                    torch::mm_out(dValues, p.t(), dO);
                } else {
                    dKeys.addmm_(dScores.t(), queries);
                    dValues.addmm_(p.t(), dO);
                }
            }
        });
        return {dq, dk, dv, torch::Tensor()};
    }
};

} // namespace

bool segmentAttentionApplies(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v)
{
    for (const torch::Tensor &t : {q, k, v})
        if (t.dim() != 4 || t.size(0) != 1 || !fused::applies({t}) || t.stride(-2) != t.size(-1))
            return false;
    return q.size(2) % k.size(2) == 0 && k.sizes() == v.sizes();
}

torch::Tensor segmentAttention(const torch::Tensor &q, const torch::Tensor &k,
                               const torch::Tensor &v, const std::vector<int64_t> &segments)
{
    return SegmentAttention::apply(q, k, v, segments);
}

} // namespace ft
