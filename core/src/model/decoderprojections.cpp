#include "model/decoderprojections.h"

#include "model/floatgemv.h"
#include "model/frozenlinear.h"
#include "model/frozenmatrix.h"
#include "model/fusedkernels.h"
#include "model/inferencelinear.h"
#include "model/quantizedgemv.h"
#include "model/stackedlinear.h"
#include "model/trainingops.h"

#include <torch/torch.h>

#include <vector>

namespace ft {
namespace {

// Set by DecodingStepScope for this thread's forward pass (model/decoderprojections.h).
thread_local bool t_decodingStep = false;
thread_local bool t_batchDecodingStep = false;

// x @ W^T + b for W stored (out, in). A single row goes through gemv: from the quantised
// blocks in a decoding step when the model came as GGUF, else LibTorch's mv (with OpenBLAS its
// gemm path for one row is 3-4x slower than mv on these CPUs).
torch::Tensor linearBase(const torch::Tensor &x, const Projection &p)
{
    if (p.compact)  // a compact frozen base (model/frozenlinear.h)
        return compactLinear(x, *p.compact, p.bias);
    if (x.numel() == x.size(-1)) {
        auto shape = x.sizes().vec();
        shape.back() = p.weight.size(0);
        torch::Tensor y;
        if (p.packed && t_decodingStep && !x.requires_grad()) {
            torch::Tensor input = x.reshape({-1}).contiguous();
            y = torch::empty({p.packed->rows}, x.options());
            quantizedGemv(*p.packed, input.data_ptr<float>(), y.data_ptr<float>());
        } else if (!x.requires_grad() && !p.weight.requires_grad() && fused::applies({x, p.weight}) &&
                   p.weight.is_contiguous()) {
            // The decode workers' gemv: no fork-join barrier to stall on a loaded machine.
            torch::Tensor input = x.reshape({-1}).contiguous();
            y = torch::empty({p.weight.size(0)}, x.options());
            floatGemv(p.weight.data_ptr<float>(), p.weight.size(0), p.weight.size(1),
                      input.data_ptr<float>(), nullptr, y.data_ptr<float>());
        } else {
            y = torch::mv(p.weight, x.reshape({-1}));
        }
        return (p.bias.defined() ? y.add_(p.bias) : y).view(shape);
    }
    if (t_batchDecodingStep && p.packed && !x.requires_grad() && fused::applies({x})) {
        // Row by row from the quantised blocks, as each row's step alone would (GGUF LM head).
        const torch::Tensor input = x.reshape({-1, x.size(-1)}).contiguous();  // (rows, in)
        auto shape = x.sizes().vec();
        shape.back() = p.packed->rows;
        torch::Tensor y = torch::empty({input.size(0), p.packed->rows}, x.options());
        for (int64_t r = 0; r < input.size(0); ++r)
            quantizedGemv(*p.packed, input[r].data_ptr<float>(), y[r].data_ptr<float>());
        return (p.bias.defined() ? y.add_(p.bias) : y).view(shape);
    }
    if (t_batchDecodingStep && !p.packed && !x.requires_grad() && !p.weight.requires_grad() &&
        fused::applies({x, p.weight}) && p.weight.is_contiguous()) {
        const torch::Tensor input = x.reshape({-1, x.size(-1)}).contiguous();  // (rows, in)
        auto shape = x.sizes().vec();
        shape.back() = p.weight.size(0);
        torch::Tensor y = torch::empty({input.size(0), p.weight.size(0)}, x.options());
        floatGemvBatch(p.weight.data_ptr<float>(), p.weight.size(0), p.weight.size(1),
                       input.data_ptr<float>(), input.size(0), nullptr, y.data_ptr<float>());
        return (p.bias.defined() ? y.add_(p.bias) : y).view(shape);
    }
    if (!p.weight.requires_grad() && useTrainingOps(x))
        return frozenLinear(x, p.weight, p.bias, false);
    // A trainable weight (full fine-tuning's o_proj, down_proj) as a group of one: its GEMMs go
    // through oneDNN instead of torch::linear's OpenBLAS.
    if (p.weight.requires_grad() && trainableStackedLinearApplies(x, p.weight.detach(), {p.weight}, {p.bias}))
        return trainableStackedLinear(x, p.weight.detach(), {p.weight});
    if (inferenceLinearApplies(x, p.weight, p.bias))
        return inferenceLinear(x, p.weight, p.bias);
    return p.bias.defined() ? torch::linear(x, p.weight, p.bias) : torch::linear(x, p.weight);
}

// A linear map with whichever adapters are attached to it (none when `use` is false): an IA3
// feed-forward vector scales the input, an output-side one the output, LoRA (or DoRA) adds its
// delta.
template <typename Base>
torch::Tensor adapted(const torch::Tensor &x, const LoraAdapter *lora, const Ia3Vector *ia3,
                      bool use, const Base &base)
{
    if (!use)
        return base(x);
    torch::Tensor y = base(ia3 && ia3->feedforward ? x * ia3->scale() : x);
    if (ia3 && !ia3->feedforward)
        y = y * ia3->scale();
    return lora ? lora->apply(y, x) : y;
}

// Whether frozenLinearLowRank can apply a LoRA adapter while training: plain LoRA on a frozen
// base over more than one row, without dropout (which masks each adapter's input separately)
// or DoRA. Inference keeps the plain expressions.
bool lowRankOpApplies(const torch::Tensor &x, const LoraAdapter *lora, const Ia3Vector *ia3,
                      const torch::Tensor &weight)
{
    return lora && !ia3 && !lora->dora() && !(lora->training && lora->dropout > 0.0) &&
           torch::GradMode::is_enabled() && !weight.requires_grad() && x.numel() != x.size(-1);
}

} // namespace

bool inDecodingStep()
{
    return t_decodingStep;
}

bool inBatchDecodingStep()
{
    return t_batchDecodingStep;
}

DecodingStepScope::DecodingStepScope(bool single, bool batch)
    : m_savedSingle(t_decodingStep), m_savedBatch(t_batchDecodingStep)
{
    t_decodingStep = single;
    t_batchDecodingStep = batch;
}

DecodingStepScope::~DecodingStepScope()
{
    t_decodingStep = m_savedSingle;
    t_batchDecodingStep = m_savedBatch;
}

torch::Tensor linear(const torch::Tensor &x, const Projection &p, bool adapters)
{
    if (adapters && lowRankOpApplies(x, p.lora.get(), p.ia3.get(), p.weight))
        return p.compact ? compactLinearLowRank(x, *p.compact, p.bias, p.lora->a, p.lora->b * p.lora->scale)
                         : frozenLinearLowRank(x, p.weight, p.bias, p.lora->a, p.lora->b * p.lora->scale);
    return adapted(x, p.lora.get(), p.ia3.get(), adapters,
                   [&](const torch::Tensor &in) { return linearBase(in, p); });
}

namespace {

// A group's adapters for frozenLinearLowRank: at least one LoRA adapter, each one it can apply,
// no IA3 vector.
bool groupLowRankApplies(const torch::Tensor &x, const std::vector<const Projection *> &parts,
                         const torch::Tensor &weight)
{
    bool any = false;
    for (const Projection *p : parts) {
        if (p->ia3 || (p->lora && !lowRankOpApplies(x, p->lora.get(), nullptr, weight)))
            return false;
        any = any || p->lora;
    }
    return any;
}

// The group's adapters as one low-rank pair: A (R, in) their A matrices stacked, B (out, R)
// their scaled B matrices on the block diagonal (zero rows for a projection without one), so
// that (x @ A^T) @ B^T is each projection's LoRA delta in its own columns.
std::pair<torch::Tensor, torch::Tensor> stackedLowRank(const std::vector<const Projection *> &parts)
{
    std::vector<torch::Tensor> as;
    int64_t rank = 0;
    // The adapters' options: a compact base's weight is a storage-less placeholder.
    torch::TensorOptions options;
    for (const Projection *p : parts)
        if (p->lora) {
            as.push_back(p->lora->a);
            rank += p->lora->a.size(0);
            options = p->lora->b.options();
        }
    std::vector<torch::Tensor> rows;
    int64_t before = 0;
    for (const Projection *p : parts) {
        const int64_t out = p->weight.size(0);
        if (!p->lora) {
            rows.push_back(torch::zeros({out, rank}, options));
            continue;
        }
        const int64_t r = p->lora->a.size(0);
        rows.push_back(torch::cat({torch::zeros({out, before}, options), p->lora->b * p->lora->scale,
                                   torch::zeros({out, rank - before - r}, options)},
                                  1));
        before += r;
    }
    return {as.size() == 1 ? as[0] : torch::cat(as, 0), torch::cat(rows, 0)};
}

// A decoding step through projections that all hold their quantised blocks and have no
// adapter in use: one quantised pass over their rows (model/quantizedgemv.h). Empty when that
// does not apply.
std::vector<torch::Tensor> quantizedGroup(const torch::Tensor &x,
                                          const std::vector<const Projection *> &parts,
                                          bool adapters)
{
    if (!t_decodingStep || x.numel() != x.size(-1) || x.requires_grad() ||
        x.scalar_type() != torch::kFloat32 || !x.device().is_cpu())
        return {};
    std::vector<const QuantizedMatrix *> matrices;
    int64_t rows = 0;
    for (const Projection *p : parts) {
        if (!p->packed || p->packed->cols != x.size(-1) || (adapters && (p->lora || p->ia3)))
            return {};
        matrices.push_back(p->packed.get());
        rows += p->packed->rows;
    }
    const torch::Tensor input = x.reshape({-1}).contiguous();
    const torch::Tensor y = torch::empty({rows}, x.options());
    std::vector<float *> outputs;
    std::vector<torch::Tensor> out;
    int64_t row = 0;
    for (const Projection *p : parts) {
        out.push_back(y.narrow(0, row, p->packed->rows));
        outputs.push_back(y.data_ptr<float>() + row);
        row += p->packed->rows;
    }
    quantizedGemvGroup(matrices, input.data_ptr<float>(), outputs);
    for (size_t i = 0; i < parts.size(); ++i) {
        auto shape = x.sizes().vec();
        shape.back() = parts[i]->packed->rows;
        if (parts[i]->bias.defined())
            out[i].add_(parts[i]->bias);
        out[i] = out[i].view(shape);
    }
    return out;
}

// Full fine-tuning of a group with no adapters, biases or compact base: one GEMM per group and
// one weight gradient for it (model/stackedlinear.h).
bool trainableGroupApplies(const torch::Tensor &x, const std::vector<const Projection *> &parts,
                           const torch::Tensor &weight, bool adapters)
{
    std::vector<torch::Tensor> weights, biases;
    for (const Projection *p : parts) {
        if (p->compact || (adapters && (p->lora || p->ia3)))
            return false;
        weights.push_back(p->weight);
        biases.push_back(p->bias);
    }
    return trainableStackedLinearApplies(x, weight, weights, biases);
}

} // namespace

// Projections that read the same input (q/k/v, gate/up), as one GEMM over their stacked
// weights where that gives the same result: the weights are frozen (a trainable one needs its
// own gradient), no IA3 vector scales their input, and more than one row comes in (decoding a
// single token keeps each projection's gemv, quantised where the model came as GGUF). Outputs
// are views of the stacked result, with each projection's output-side adapters applied.
std::vector<torch::Tensor> linearGroup(const torch::Tensor &x,
                                       const std::vector<const Projection *> &parts,
                                       const torch::Tensor &weight, const torch::Tensor &bias,
                                       const FrozenMatrix *compact, bool adapters,
                                       torch::Tensor *stackedOutput)
{
    bool stacked = weight.defined() && x.numel() != x.size(-1);
    for (const Projection *p : parts)
        stacked = stacked && !p->weight.requires_grad() &&
                  p->bias.defined() == bias.defined() &&
                  !(p->bias.defined() && p->bias.requires_grad()) &&
                  !(adapters && p->ia3 && p->ia3->feedforward);
    std::vector<torch::Tensor> out;
    if (!stacked && trainableGroupApplies(x, parts, weight, adapters)) {
        std::vector<torch::Tensor> weights;
        std::vector<int64_t> sizes;
        for (const Projection *p : parts) {
            weights.push_back(p->weight);
            sizes.push_back(p->weight.size(0));
        }
        const torch::Tensor y = trainableStackedLinear(x, weight, weights);
        if (stackedOutput)
            *stackedOutput = y;
        return y.split_with_sizes(sizes, -1);
    }
    if (!stacked) {
        out = quantizedGroup(x, parts, adapters);
        if (!out.empty())
            return out;
        for (const Projection *p : parts)
            out.push_back(linear(x, *p, adapters));
        return out;
    }
    if (adapters && groupLowRankApplies(x, parts, weight)) {
        const auto [a, b] = stackedLowRank(parts);
        const torch::Tensor y = compact ? compactLinearLowRank(x, *compact, bias, a, b)
                                        : frozenLinearLowRank(x, weight, bias, a, b);
        if (stackedOutput)
            *stackedOutput = y;
        std::vector<int64_t> sizes;
        for (const Projection *p : parts)
            sizes.push_back(p->weight.size(0));
        return y.split_with_sizes(sizes, -1);
    }
    const torch::Tensor y = compact           ? compactLinear(x, *compact, bias)
                            : useTrainingOps(x) ? frozenLinear(x, weight, bias, false)
                            : inferenceLinearApplies(x, weight, bias) ? inferenceLinear(x, weight, bias)
                            : bias.defined() ? torch::linear(x, weight, bias)
                                             : torch::linear(x, weight);
    std::vector<int64_t> sizes;
    for (const Projection *p : parts)
        sizes.push_back(p->weight.size(0));
    out = y.split_with_sizes(sizes, -1);
    bool changed = false;
    for (size_t i = 0; adapters && i < parts.size(); ++i) {
        const Projection &p = *parts[i];
        if (p.ia3)
            out[i] = out[i] * p.ia3->scale();
        if (p.lora)
            out[i] = p.lora->apply(out[i], x);
        changed = changed || p.ia3 || p.lora;
    }
    if (stackedOutput && !changed)
        *stackedOutput = y;
    return out;
}

// GPT-2's Conv1D: y = x @ W + b with W stored (in, out), and its adapters.
torch::Tensor conv1d(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias,
                     const std::shared_ptr<LoraAdapter> &lora, const std::shared_ptr<Ia3Vector> &ia3,
                     bool adapters)
{
    if (adapters && lowRankOpApplies(x, lora.get(), ia3.get(), weight))
        return frozenLinearLowRank(x, weight.t(), bias, lora->a, lora->b * lora->scale);
    return adapted(x, lora.get(), ia3.get(), adapters, [&](const torch::Tensor &in) {
        auto shape = in.sizes().vec();
        shape.back() = weight.size(1);
        if (in.numel() == in.size(-1))
            return torch::mv(weight.t(), in.reshape({-1})).add_(bias).view(shape);
        if (!weight.requires_grad() && useTrainingOps(in))
            return frozenLinear(in, weight, bias, true);
        return torch::addmm(bias, in.reshape({-1, in.size(-1)}), weight).view(shape);
    });
}

} // namespace ft
