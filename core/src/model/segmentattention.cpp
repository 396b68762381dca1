#include "model/segmentattention.h"

#include "model/cpusgemm.h"
#include "model/fusedkernels.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace ft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The causal score matrix of a sequence is computed in blocks of this many query rows, each over
// the keys up to its last row only: the GEMMs skip the upper triangle's blocks (about half their
// work on long sequences) and the probabilities kept for backward are stored as these blocks,
// packed (block b: rows x (its last row + 1) floats).
constexpr int64_t kRowBlock = 64;

// Floats of a T-token sequence's packed blocks for one head.
int64_t triangleFloats(int64_t T)
{
    int64_t floats = 0;
    for (int64_t first = 0; first < T; first += kRowBlock)
        floats += std::min(kRowBlock, T - first) * std::min(T, first + kRowBlock);
    return floats;
}

// Calls block(first row, rows, offset into the packed blocks) for each row block of T tokens;
// the block's keys are [0, first + rows).
template <typename Block>
void forEachRowBlock(int64_t T, const Block &block)
{
    int64_t offset = 0;
    for (int64_t first = 0; first < T; first += kRowBlock) {
        const int64_t rows = std::min(kRowBlock, T - first);
        block(first, rows, offset);
        offset += rows * (first + rows);
    }
}

// One head's causal probabilities into packed blocks (triangleFloats(T) floats at probs), and
// out = probabilities x values when out is defined.
void causalProbabilities(const torch::Tensor &probs, const torch::Tensor &queries,
                         const torch::Tensor &keys, const torch::Tensor &values, torch::Tensor out,
                         float scale)
{
    forEachRowBlock(queries.size(0), [&](int64_t first, int64_t rows, int64_t offset) {
        const int64_t end = first + rows;
        torch::Tensor p = probs.narrow(0, offset, rows * end).view({rows, end});
        cpugemm::mmOut(p, queries.narrow(0, first, rows), keys.narrow(0, 0, end).t());
        fused::causalSoftmax(p.data_ptr<float>(), rows, end, scale, first);
        if (out.defined()) {
            torch::Tensor o = out.narrow(0, first, rows);
            cpugemm::mmOut(o, p, values.narrow(0, 0, end));
        }
    });
}

// One head's backward over packed probabilities: dQueries written, dKeys and dValues added to
// (the caller zeroes them once per K/V head). dScores: scratch of at least kRowBlock x T floats.
void causalProbabilitiesBackward(const torch::Tensor &probs, const torch::Tensor &dOut,
                                 const torch::Tensor &queries, const torch::Tensor &keys,
                                 const torch::Tensor &values, torch::Tensor dQueries,
                                 torch::Tensor dKeys, torch::Tensor dValues,
                                 const torch::Tensor &dScoresScratch, float scale)
{
    forEachRowBlock(queries.size(0), [&](int64_t first, int64_t rows, int64_t offset) {
        const int64_t end = first + rows;
        const torch::Tensor p = probs.narrow(0, offset, rows * end).view({rows, end});
        const torch::Tensor dO = dOut.narrow(0, first, rows);
        torch::Tensor dScores = dScoresScratch.narrow(0, 0, rows * end).view({rows, end});
        cpugemm::mmOut(dScores, dO, values.narrow(0, 0, end).t());
        fused::causalSoftmaxBackward(dScores.data_ptr<float>(), p.data_ptr<float>(), rows, end,
                                     scale, first);
        torch::Tensor dQ = dQueries.narrow(0, first, rows);
        cpugemm::mmOut(dQ, dScores, keys.narrow(0, 0, end));
        cpugemm::mmOut(dKeys.narrow(0, 0, end), dScores.t(), queries.narrow(0, first, rows), true);
        cpugemm::mmOut(dValues.narrow(0, 0, end), p.t(), dO, true);
    });
}

// Where each segment starts in the row and where its probabilities start in the flat buffer
// that keeps them for the backward pass: H x triangleFloats(T) for a plain segment; for a forked one
// (model/segmentfork.h) H x triangleFloats(L) for the prompt and first answer (L = prompt + first answer)
// then (H, A, prompt + A) for the second answer's A queries over the prompt's keys and its own.
struct Layout
{
    std::vector<int64_t> lengths, starts, probOffsets;
    std::vector<int64_t> mainLengths;                   // L (T when not forked)
    std::vector<int64_t> prompts, branchLengths, branchOffsets;  // P, A (0: none), offset
    int64_t probFloats = 0;

    // forks: empty, or (prompt, first answer) per segment, flattened.
    Layout(const std::vector<int64_t> &segments, const std::vector<int64_t> &forks, int64_t heads)
        : lengths(segments)
    {
        int64_t start = 0;
        for (size_t s = 0; s < segments.size(); ++s) {
            const int64_t length = segments[s];
            const int64_t prompt = forks.empty() ? 0 : forks[2 * s];
            const int64_t first = forks.empty() ? 0 : forks[2 * s + 1];
            const int64_t main = first > 0 ? prompt + first : length;
            const int64_t branch = length - main;
            starts.push_back(start);
            mainLengths.push_back(main);
            prompts.push_back(prompt);
            branchLengths.push_back(branch);
            probOffsets.push_back(probFloats);
            probFloats += heads * triangleFloats(main);
            branchOffsets.push_back(probFloats);
            probFloats += heads * branch * (prompt + branch);
            start += length;
        }
    }
};

// Rows [start, start + length) of head h of x (1, N, heads, D): a (length, D) view.
torch::Tensor headRows(const torch::Tensor &x, int64_t start, int64_t length, int64_t h)
{
    return x.select(0, 0).narrow(0, start, length).select(1, h);
}

// The second answer's keys or values of a forked segment: the prompt's rows then its own,
// (P + A, D) for head g of x (1, N, heads, D).
torch::Tensor branchRows(const torch::Tensor &x, const Layout &layout, int64_t s, int64_t g)
{
    const int64_t start = layout.starts[s];
    return torch::cat({headRows(x, start, layout.prompts[s], g),
                       headRows(x, start + layout.mainLengths[s], layout.branchLengths[s], g)});
}

// Plain segments keep their probabilities for the backward pass; forked ones (preference pairs,
// whose memory target is tight) keep none and recompute them there: one more q k^T GEMM and
// softmax per head, about 2 % of a LoRA step, for (heads x T x T) floats per segment and layer
// (a quarter of a DPO step's activations at 256 tokens).
bool keepsProbabilities(const std::vector<int64_t> &forks) { return forks.empty(); }

// One (segment, K/V head) task's probabilities buffer when they are not kept.
torch::Tensor scratchFor(const Layout &layout, int64_t s, const torch::TensorOptions &options)
{
    const int64_t T = layout.mainLengths[s], A = layout.branchLengths[s], P = layout.prompts[s];
    return torch::empty({std::max(triangleFloats(T), A * (P + A))}, options);
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
                                 std::vector<int64_t> segments, std::vector<int64_t> forks)
    {
        const torch::Tensor q = qIn.detach(), k = kIn.detach(), v = vIn.detach();
        const int64_t N = q.size(1), H = q.size(2), D = q.size(3), Hkv = k.size(2), G = H / Hkv;
        const float scale = 1.0f / std::sqrt(static_cast<float>(D));
        const Layout layout(segments, forks, H);
        const bool keep = keepsProbabilities(forks);
        torch::Tensor probs = torch::empty({keep ? layout.probFloats : 0}, q.options());
        torch::Tensor out = torch::empty({1, N, H, D}, q.options());
        forEachSegmentAndKvHead(layout, Hkv, [&](int64_t s, int64_t g) {
            const int64_t T = layout.mainLengths[s], start = layout.starts[s];
            const torch::Tensor keys = headRows(k, start, T, g), values = headRows(v, start, T, g);
            const torch::Tensor scratch = keep ? torch::Tensor() : scratchFor(layout, s, q.options());
            const int64_t triangle = triangleFloats(T);
            for (int64_t h = g * G; h < (g + 1) * G; ++h)
                causalProbabilities(keep ? probs.narrow(0, layout.probOffsets[s] + h * triangle, triangle)
                                         : scratch,
                                    headRows(q, start, T, h), keys, values, headRows(out, start, T, h),
                                    scale);
            const int64_t A = layout.branchLengths[s], P = layout.prompts[s];
            if (A == 0)
                return;
            // The second answer: queries at positions P .. P + A - 1 over [prompt | itself].
            const torch::Tensor branchKeys = branchRows(k, layout, s, g);
            const torch::Tensor branchValues = branchRows(v, layout, s, g);
            for (int64_t h = g * G; h < (g + 1) * G; ++h) {
                torch::Tensor p = (keep ? probs.narrow(0, layout.branchOffsets[s] + h * A * (P + A), A * (P + A))
                                        : scratch.narrow(0, 0, A * (P + A)))
                                      .view({A, P + A});
                cpugemm::mmOut(p, headRows(q, start + T, A, h), branchKeys.t());
                fused::causalSoftmax(p.data_ptr<float>(), A, P + A, scale, P);
                torch::Tensor o = headRows(out, start + T, A, h);
                cpugemm::mmOut(o, p, branchValues);
            }
        });
        ctx->save_for_backward({q, k, v, probs});
        ctx->saved_data["segments"] = segments;
        ctx->saved_data["forks"] = forks;
        return out.view({1, N, H * D});
    }

    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor q = saved[0].detach(), k = saved[1].detach(), v = saved[2].detach();
        const torch::Tensor probs = saved[3].detach();
        const std::vector<int64_t> segments = ctx->saved_data["segments"].toIntVector();
        const std::vector<int64_t> forks = ctx->saved_data["forks"].toIntVector();
        const int64_t N = q.size(1), H = q.size(2), D = q.size(3), Hkv = k.size(2), G = H / Hkv;
        const float scale = 1.0f / std::sqrt(static_cast<float>(D));
        const torch::Tensor gradOut = grads[0].detach().contiguous().view({1, N, H, D});
        const Layout layout(segments, forks, H);
        const bool keep = keepsProbabilities(forks);
        torch::Tensor dq = torch::empty({1, N, H, D}, q.options());
        torch::Tensor dk = torch::empty({1, N, Hkv, D}, k.options());
        torch::Tensor dv = torch::empty({1, N, Hkv, D}, v.options());
        forEachSegmentAndKvHead(layout, Hkv, [&](int64_t s, int64_t g) {
            const int64_t T = layout.mainLengths[s], start = layout.starts[s];
            const torch::Tensor keys = headRows(k, start, T, g), values = headRows(v, start, T, g);
            torch::Tensor dKeys = headRows(dk, start, T, g), dValues = headRows(dv, start, T, g);
            const torch::Tensor dScores = torch::empty({std::min(kRowBlock, T) * T}, q.options());
            const torch::Tensor scratch = keep ? torch::Tensor() : scratchFor(layout, s, q.options());
            const int64_t triangle = triangleFloats(T);
            dKeys.zero_();
            dValues.zero_();
            for (int64_t h = g * G; h < (g + 1) * G; ++h) {
                const torch::Tensor queries = headRows(q, start, T, h);
                torch::Tensor p;
                if (keep) {
                    p = probs.narrow(0, layout.probOffsets[s] + h * triangle, triangle);
                } else {  // the forward's probabilities again: the same GEMMs and softmax
                    p = scratch;
                    causalProbabilities(p, queries, keys, values, torch::Tensor(), scale);
                }
                causalProbabilitiesBackward(p, headRows(gradOut, start, T, h), queries, keys, values,
                                            headRows(dq, start, T, h), dKeys, dValues, dScores, scale);
            }
            const int64_t A = layout.branchLengths[s], P = layout.prompts[s];
            if (A == 0)
                return;
            // The second answer's share: its own key/value rows, and more for the prompt's.
            const torch::Tensor branchKeys = branchRows(k, layout, s, g);
            const torch::Tensor branchValues = branchRows(v, layout, s, g);
            torch::Tensor dBranchKeys = torch::empty({P + A, D}, k.options());
            torch::Tensor dBranchValues = torch::empty({P + A, D}, v.options());
            torch::Tensor dBranchScores = torch::empty({A, P + A}, q.options());
            for (int64_t h = g * G; h < (g + 1) * G; ++h) {
                const torch::Tensor dO = headRows(gradOut, start + T, A, h);
                const torch::Tensor queries = headRows(q, start + T, A, h);
                torch::Tensor p;
                if (keep) {
                    p = probs.narrow(0, layout.branchOffsets[s] + h * A * (P + A), A * (P + A)).view({A, P + A});
                } else {
                    p = scratch.narrow(0, 0, A * (P + A)).view({A, P + A});
                    cpugemm::mmOut(p, queries, branchKeys.t());
                    fused::causalSoftmax(p.data_ptr<float>(), A, P + A, scale, P);
                }
                cpugemm::mmOut(dBranchScores, dO, branchValues.t());
                fused::causalSoftmaxBackward(dBranchScores.data_ptr<float>(), p.data_ptr<float>(), A,
                                             P + A, scale, P);
                torch::Tensor dQ = headRows(dq, start + T, A, h);
                cpugemm::mmOut(dQ, dBranchScores, branchKeys);
                if (h == g * G) {
                    cpugemm::mmOut(dBranchKeys, dBranchScores.t(), queries);
                    cpugemm::mmOut(dBranchValues, p.t(), dO);
                } else {
                    cpugemm::mmOut(dBranchKeys, dBranchScores.t(), queries, true);
                    cpugemm::mmOut(dBranchValues, p.t(), dO, true);
                }
            }
            headRows(dk, start, P, g).add_(dBranchKeys.narrow(0, 0, P));
            headRows(dv, start, P, g).add_(dBranchValues.narrow(0, 0, P));
            headRows(dk, start + T, A, g).copy_(dBranchKeys.narrow(0, P, A));
            headRows(dv, start + T, A, g).copy_(dBranchValues.narrow(0, P, A));
        });
        return {dq, dk, dv, torch::Tensor(), torch::Tensor()};
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
                               const torch::Tensor &v, const std::vector<int64_t> &segments,
                               const std::vector<SegmentFork> &forks)
{
    std::vector<int64_t> flatForks;  // (prompt, first answer) per segment
    for (const SegmentFork &fork : forks) {
        flatForks.push_back(fork.prompt);
        flatForks.push_back(fork.forked() ? fork.firstAnswer : 0);
    }
    return SegmentAttention::apply(q, k, v, segments, flatForks);
}

} // namespace ft
