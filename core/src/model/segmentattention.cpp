#include "model/segmentattention.h"

#include "model/cpusgemm.h"
#include "model/flashattention.h"
#include "model/fusedkernels.h"
#include "model/segmentattentionplan.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ft {
namespace {

using namespace attentionplan;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Rows [start, start + length) of head h of x (1, N, heads, D): a (length, D) view.
torch::Tensor headRows(const torch::Tensor &x, int64_t start, int64_t length, int64_t h)
{
    return x.select(0, 0).narrow(0, start, length).select(1, h);
}

// The second answer's keys or values of a forked segment: the prompt's rows then its own,
// (P + A, D) for head g of x (1, N, heads, D).
torch::Tensor branchRows(const torch::Tensor &x, const Segment &seg, int64_t g)
{
    return torch::cat({headRows(x, seg.start, seg.prompt, g),
                       headRows(x, seg.start + seg.main, seg.branch, g)});
}

// Runs every task of the plan on LibTorch's threads, each thread taking the next largest as it
// comes free; GEMMs inside run on the calling thread. Autograd records nothing here (grad mode
// is per thread).
template <typename Run>
void runTasks(const Plan &plan, const Run &run)
{
    std::atomic<size_t> next{0};
    const int64_t threads = std::min<int64_t>(at::get_num_threads(), static_cast<int64_t>(plan.tasks.size()));
    at::parallel_for(0, threads, 1, [&](int64_t, int64_t) {
        torch::NoGradGuard noGrad;
        for (size_t i = next++; i < plan.tasks.size(); i = next++)
            run(plan.tasks[i]);
    });
}

// One causal block of a K/V head's G query heads, stacked head by head: rows
// [first, first + rows) of each, so that their GEMMs share the keys and values in one call
// (G x rows of the left-hand side instead of rows; the key and value gradients take one
// accumulation for the G heads instead of G).
struct Block
{
    int64_t index = 0, first = 0, rows = 0, keys = 0;

    // The G heads' rows of x (1, N, H, D), contiguous, from head g * G, stacked into a new
    // (G * rows, D). Plain row copies: a block's views and copies as LibTorch ops cost more
    // than the copying itself (six per block and head).
    torch::Tensor stack(const torch::Tensor &x, const Segment &seg, int64_t g, int64_t G) const
    {
        const int64_t H = x.size(2), D = x.size(3);
        torch::Tensor out = torch::empty({G * rows, D}, x.options());
        const float *from = x.data_ptr<float>() + ((seg.start + first) * H + g * G) * D;
        float *to = out.data_ptr<float>();
        for (int64_t j = 0; j < G; ++j)
            for (int64_t r = 0; r < rows; ++r)
                std::memcpy(to + (j * rows + r) * D, from + (r * H + j) * D, D * sizeof(float));
        return out;
    }

    // The inverse: the stacked (G * rows, D) rows into x's G heads (x contiguous).
    void unstack(const torch::Tensor &stacked, torch::Tensor &x, const Segment &seg, int64_t g, int64_t G) const
    {
        const int64_t H = x.size(2), D = x.size(3);
        const float *from = stacked.data_ptr<float>();
        float *to = x.data_ptr<float>() + ((seg.start + first) * H + g * G) * D;
        for (int64_t j = 0; j < G; ++j)
            for (int64_t r = 0; r < rows; ++r)
                std::memcpy(to + (r * H + j) * D, from + (j * rows + r) * D, D * sizeof(float));
    }
};

Block blockOf(const Segment &seg, int64_t b)
{
    return {b, blockFirst(b), blockRows(seg.main, b), blockKeys(seg.main, b)};
}

// Whether the flash kernels (model/flashattention.h) run the causal parts of this op's
// sequences: on AVX-512 with head width 64. Then no sequence keeps its probabilities (the
// kernels recompute them from each row's log-sum-exp, faster than the kept blocks' GEMMs at any
// length, docs/benchmarks.md); elsewhere the block GEMMs run. FT_ATTENTION_GEMM=1 (developers,
// bench/bench_attention.py) keeps the block GEMMs.
bool flashApplies(int64_t headDim)
{
    static const bool gemm = [] {
        const char *value = std::getenv("FT_ATTENTION_GEMM");
        return value && std::string(value) == "1";
    }();
    return !gemm && flash::applies(headDim);
}

// The plan of a row's tasks, keeping probabilities only where the flash kernels do not run.
Plan planOf(const std::vector<int64_t> &segments, const std::vector<int64_t> &forks,
            const torch::Tensor &q, const torch::Tensor &k)
{
    return Plan(segments, forks, q.size(2), k.size(2), at::get_num_threads(),
                flashApplies(q.size(3)) ? 0 : kKeepProbabilitiesUpTo);
}

// Whether a segment's main part runs the flash kernels (the branch of a forked one never does).
bool flashRuns(const Segment &seg, int64_t headDim)
{
    return !seg.keep && flashApplies(headDim);
}

// The flash kernels' view of K/V head g's query heads in a segment; out's layout (contiguous
// (1, N, H, D)) is also that of the output's gradient and dq.
flash::Heads flashHeads(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v,
                        const Segment &seg, int64_t g, int64_t G, float scale)
{
    const int64_t H = q.size(2), D = q.size(3);
    flash::Heads heads;
    heads.q = q.data_ptr<float>() + seg.start * q.stride(1) + g * G * D;
    heads.k = k.data_ptr<float>() + seg.start * k.stride(1) + g * D;
    heads.v = v.data_ptr<float>() + seg.start * v.stride(1) + g * D;
    heads.qStride = q.stride(1);
    heads.kStride = k.stride(1);
    heads.vStride = v.stride(1);
    heads.outStride = H * D;
    heads.lseStride = H;
    heads.heads = G;
    heads.scale = scale;
    return heads;
}

// Each flash segment's keys (and values, for the backward pass) transposed once per K/V head,
// by segment * Hkv + head, for all the tasks that share them.
std::vector<flash::TransposedKeys> transposedKeys(const Plan &plan, const torch::Tensor &q,
                                                  const torch::Tensor &k, const torch::Tensor &v,
                                                  float scale, bool withValues)
{
    const int64_t Hkv = k.size(2), G = q.size(2) / Hkv, D = q.size(3);
    std::vector<flash::TransposedKeys> transposed(plan.segments.size() * Hkv);
    at::parallel_for(0, static_cast<int64_t>(transposed.size()), 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            const Segment &seg = plan.segments[i / Hkv];
            if (flashRuns(seg, D))
                transposed[i].build(flashHeads(q, k, v, seg, i % Hkv, G, scale), seg.main, withValues);
        }
    });
    return transposed;
}

// The (G * rows, keys) probabilities of a block: the kept ones (per K/V head, its G heads' blocks
// in block order), else computed into the scratch from the stacked queries.
torch::Tensor probabilitiesOf(const Segment &seg, const torch::Tensor &probs, int64_t g, int64_t G,
                              const Block &block, const torch::Tensor &queries,
                              const torch::Tensor &keys, const torch::Tensor &scratch, float scale,
                              bool compute)
{
    const int64_t floats = G * block.rows * block.keys;
    torch::Tensor p = (seg.keep ? probs.narrow(0, seg.probOffset + g * G * triangleFloats(seg.main) + G * blockOffset(block.index), floats)
                                : scratch.narrow(0, 0, floats))
                          .view({G * block.rows, block.keys});
    if (compute) {
        cpugemm::mmOut(p, queries, keys.narrow(0, 0, block.keys).t());
        for (int64_t j = 0; j < G; ++j)
            fused::causalSoftmax(p.data_ptr<float>() + j * block.rows * block.keys, block.rows,
                                 block.keys, scale, block.first);
    }
    return p;
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
        const Plan plan = planOf(segments, forks, q, k);
        torch::Tensor probs = torch::empty({plan.probFloats}, q.options());
        torch::Tensor out = torch::empty({1, N, H, D}, q.options());
        torch::Tensor lse = torch::empty({N, H}, q.options());  // the flash kernels' rows
        const std::vector<flash::TransposedKeys> transposed = transposedKeys(plan, q, k, v, scale, false);
        runTasks(plan, [&](const Task &task) {
            const Segment &seg = plan.segments[task.segment];
            const int64_t g = task.kvHead;
            if (!task.branch && flashRuns(seg, D)) {
                const flash::Heads heads = flashHeads(q, k, v, seg, g, G, scale);
                float *o = out.data_ptr<float>() + seg.start * H * D + g * G * D;
                float *l = lse.data_ptr<float>() + seg.start * H + g * G;
                for (int64_t b = task.firstBlock; b < task.endBlock; ++b)
                    flash::forwardBlock(heads, transposed[task.segment * Hkv + g], blockFirst(b), blockRows(seg.main, b), o, l);
                return;
            }
            if (task.branch) {
                // The second answer: queries at positions P .. P + A - 1 over [prompt | itself].
                const int64_t A = seg.branch, P = seg.prompt;
                const torch::Tensor keys = branchRows(k, seg, g), values = branchRows(v, seg, g);
                torch::Tensor p = torch::empty({A, P + A}, q.options());
                for (int64_t h = g * G; h < (g + 1) * G; ++h) {
                    cpugemm::mmOut(p, headRows(q, seg.start + seg.main, A, h), keys.t());
                    fused::causalSoftmax(p.data_ptr<float>(), A, P + A, scale, P);
                    cpugemm::mmOut(headRows(out, seg.start + seg.main, A, h), p, values);
                }
                return;
            }
            const torch::Tensor keys = headRows(k, seg.start, seg.main, g);
            const torch::Tensor values = headRows(v, seg.start, seg.main, g);
            const torch::Tensor scratch =
                seg.keep ? torch::Tensor() : torch::empty({G * kRowBlock * seg.main}, q.options());
            for (int64_t b = task.firstBlock; b < task.endBlock; ++b) {
                const Block block = blockOf(seg, b);
                const torch::Tensor queries = block.stack(q, seg, g, G);
                const torch::Tensor p = probabilitiesOf(seg, probs, g, G, block, queries, keys, scratch, scale, true);
                torch::Tensor o = torch::empty({G * block.rows, D}, q.options());
                cpugemm::mmOut(o, p, values.narrow(0, 0, block.keys));
                block.unstack(o, out, seg, g, G);
            }
        });
        ctx->save_for_backward({q, k, v, probs, out, lse});
        ctx->saved_data["segments"] = segments;
        ctx->saved_data["forks"] = forks;
        return out.view({1, N, H * D});
    }

    static tensor_list backward(AutogradContext *ctx, tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const torch::Tensor q = saved[0].detach(), k = saved[1].detach(), v = saved[2].detach();
        const torch::Tensor probs = saved[3].detach(), out = saved[4].detach(), lse = saved[5].detach();
        const std::vector<int64_t> segments = ctx->saved_data["segments"].toIntVector();
        const std::vector<int64_t> forks = ctx->saved_data["forks"].toIntVector();
        const int64_t N = q.size(1), H = q.size(2), D = q.size(3), Hkv = k.size(2), G = H / Hkv;
        const float scale = 1.0f / std::sqrt(static_cast<float>(D));
        const torch::Tensor gradOut = grads[0].detach().contiguous().view({1, N, H, D});
        const Plan plan = planOf(segments, forks, q, k);
        torch::Tensor dq = torch::empty({1, N, H, D}, q.options());
        torch::Tensor dk = torch::empty({1, N, Hkv, D}, k.options());
        torch::Tensor dv = torch::empty({1, N, Hkv, D}, v.options());
        torch::Tensor partialK = torch::empty({plan.partialRows, D}, k.options());
        torch::Tensor partialV = torch::empty({plan.partialRows, D}, v.options());
        const std::vector<flash::TransposedKeys> transposed = transposedKeys(plan, q, k, v, scale, true);
        runTasks(plan, [&](const Task &task) {
            const Segment &seg = plan.segments[task.segment];
            const int64_t g = task.kvHead;
            torch::Tensor dKeys = task.partial >= 0 ? partialK.narrow(0, task.partial, task.keyRows)
                                                    : headRows(dk, seg.start, seg.main, g);
            torch::Tensor dValues = task.partial >= 0 ? partialV.narrow(0, task.partial, task.keyRows)
                                                      : headRows(dv, seg.start, seg.main, g);
            dKeys.zero_();
            dValues.zero_();
            if (!task.branch && flashRuns(seg, D)) {
                const flash::Heads heads = flashHeads(q, k, v, seg, g, G, scale);
                const int64_t at = seg.start * H * D + g * G * D;
                TORCH_CHECK(dKeys.stride(0) == dValues.stride(0) && dKeys.stride(1) == 1);
                for (int64_t b = task.firstBlock; b < task.endBlock; ++b)
                    flash::backwardBlock(heads, transposed[task.segment * Hkv + g], blockFirst(b), blockRows(seg.main, b),
                                         out.data_ptr<float>() + at, gradOut.data_ptr<float>() + at,
                                         lse.data_ptr<float>() + seg.start * H + g * G,
                                         dq.data_ptr<float>() + at, dKeys.data_ptr<float>(),
                                         dValues.data_ptr<float>(), dKeys.stride(0));
                return;
            }
            if (task.branch) {
                branchBackward(seg, g, G, q, k, v, gradOut, dq, dKeys, dValues, scale);
                return;
            }
            const torch::Tensor keys = headRows(k, seg.start, seg.main, g);
            const torch::Tensor values = headRows(v, seg.start, seg.main, g);
            const torch::Tensor scratch =
                seg.keep ? torch::Tensor() : torch::empty({G * kRowBlock * seg.main}, q.options());
            const torch::Tensor dScoresScratch = torch::empty({G * kRowBlock * seg.main}, q.options());
            for (int64_t b = task.firstBlock; b < task.endBlock; ++b) {
                const Block block = blockOf(seg, b);
                const torch::Tensor queries = block.stack(q, seg, g, G);
                const torch::Tensor dO = block.stack(gradOut, seg, g, G);
                const torch::Tensor p = probabilitiesOf(seg, probs, g, G, block, queries, keys, scratch, scale, !seg.keep);
                torch::Tensor dScores = dScoresScratch.narrow(0, 0, p.numel()).view(p.sizes());
                cpugemm::mmOut(dScores, dO, values.narrow(0, 0, block.keys).t());
                for (int64_t j = 0; j < G; ++j) {
                    const int64_t offset = j * block.rows * block.keys;
                    fused::causalSoftmaxBackward(dScores.data_ptr<float>() + offset, p.data_ptr<float>() + offset,
                                                 block.rows, block.keys, scale, block.first);
                }
                torch::Tensor dQ = torch::empty({G * block.rows, D}, q.options());
                cpugemm::mmOut(dQ, dScores, keys.narrow(0, 0, block.keys));
                block.unstack(dQ, dq, seg, g, G);
                cpugemm::mmOut(dKeys.narrow(0, 0, block.keys), dScores.t(), queries, true);
                cpugemm::mmOut(dValues.narrow(0, 0, block.keys), p.t(), dO, true);
            }
        });
        sumPartials(plan, Hkv, partialK, partialV, dk, dv);
        return {dq, dk, dv, torch::Tensor(), torch::Tensor()};
    }

    // A forked segment's second answer, for K/V head g: dQ of its rows written, the gradients of
    // its keys and values ([prompt | itself]) added to dKeys and dValues.
    static void branchBackward(const Segment &seg, int64_t g, int64_t G, const torch::Tensor &q,
                               const torch::Tensor &k, const torch::Tensor &v,
                               const torch::Tensor &gradOut, torch::Tensor &dq,
                               torch::Tensor &dKeys, torch::Tensor &dValues, float scale)
    {
        const int64_t A = seg.branch, P = seg.prompt, start = seg.start + seg.main;
        const torch::Tensor keys = branchRows(k, seg, g), values = branchRows(v, seg, g);
        torch::Tensor p = torch::empty({A, P + A}, q.options());
        torch::Tensor dScores = torch::empty({A, P + A}, q.options());
        for (int64_t h = g * G; h < (g + 1) * G; ++h) {
            const torch::Tensor dO = headRows(gradOut, start, A, h);
            const torch::Tensor queries = headRows(q, start, A, h);
            cpugemm::mmOut(p, queries, keys.t());
            fused::causalSoftmax(p.data_ptr<float>(), A, P + A, scale, P);
            cpugemm::mmOut(dScores, dO, values.t());
            fused::causalSoftmaxBackward(dScores.data_ptr<float>(), p.data_ptr<float>(), A, P + A, scale, P);
            cpugemm::mmOut(headRows(dq, start, A, h), dScores, keys);
            cpugemm::mmOut(dKeys, dScores.t(), queries, true);
            cpugemm::mmOut(dValues, p.t(), dO, true);
        }
    }

    // Sums the cut segments' partial key and value gradients into dk and dv, and places the
    // second answers': the prompt's share added, their own rows copied.
    static void sumPartials(const Plan &plan, int64_t Hkv, const torch::Tensor &partialK,
                            const torch::Tensor &partialV, torch::Tensor &dk, torch::Tensor &dv)
    {
        std::vector<std::vector<const Task *>> bySegmentHead(plan.segments.size() * Hkv);
        for (const Task &task : plan.tasks)
            if (task.partial >= 0)
                bySegmentHead[task.segment * Hkv + task.kvHead].push_back(&task);
        at::parallel_for(0, static_cast<int64_t>(bySegmentHead.size()), 1, [&](int64_t begin, int64_t end) {
            torch::NoGradGuard noGrad;
            for (int64_t i = begin; i < end; ++i) {
                const Segment &seg = plan.segments[i / Hkv];
                const int64_t g = i % Hkv;
                bool cut = false;
                for (const Task *task : bySegmentHead[i])
                    cut = cut || !task->branch;
                if (cut) {
                    headRows(dk, seg.start, seg.main, g).zero_();
                    headRows(dv, seg.start, seg.main, g).zero_();
                }
                for (const Task *task : bySegmentHead[i]) {
                    const torch::Tensor pk = partialK.narrow(0, task->partial, task->keyRows);
                    const torch::Tensor pv = partialV.narrow(0, task->partial, task->keyRows);
                    if (!task->branch) {
                        headRows(dk, seg.start, task->keyRows, g).add_(pk);
                        headRows(dv, seg.start, task->keyRows, g).add_(pv);
                        continue;
                    }
                    const int64_t P = seg.prompt, A = seg.branch;
                    headRows(dk, seg.start, P, g).add_(pk.narrow(0, 0, P));
                    headRows(dv, seg.start, P, g).add_(pv.narrow(0, 0, P));
                    headRows(dk, seg.start + seg.main, A, g).copy_(pk.narrow(0, P, A));
                    headRows(dv, seg.start + seg.main, A, g).copy_(pv.narrow(0, P, A));
                }
            }
        });
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
