#include "model/decodestep.h"

#include "ft/error.h"
#include "model/decodeattention.h"
#include "model/decodeworkers.h"
#include "model/floatgemv.h"
#include "model/fusedkernels.h"
#include "model/quantizedgemv.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>

namespace ft {
namespace {

std::atomic<bool> g_enabled{true};

bool isFloatMatrix(const torch::Tensor &t)
{
    return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 &&
           t.is_contiguous() && !t.requires_grad();
}

bool projectionApplies(const Projection &p, bool adapters)
{
    if (adapters && (p.lora || p.ia3))
        return false;
    if (p.bias.defined() && !isFloatMatrix(p.bias))
        return false;
    return p.packed || isFloatMatrix(p.weight);
}

// y = p x (+ bias): from the quantised blocks when it has them, else the fp32 weight.
void project(const Projection &p, const float *x, float *y)
{
    if (p.packed) {
        quantizedGemv(*p.packed, x, y);
        if (p.bias.defined()) {
            const float *b = p.bias.data_ptr<float>();
            for (int64_t r = 0; r < p.packed->rows; ++r)
                y[r] += b[r];
        }
        return;
    }
    floatGemv(p.weight.data_ptr<float>(), p.weight.size(0), p.weight.size(1), x,
              p.bias.defined() ? p.bias.data_ptr<float>() : nullptr, y);
}

// Whether projections reading the same x can take one pass over their rows stacked in one fp32
// tensor: none of them quantised, their biases stacked alike.
bool stackedApplies(const std::vector<const Projection *> &parts, const torch::Tensor &stacked,
                    const torch::Tensor &stackedBias)
{
    bool anyPacked = false, biasesStacked = true;
    for (const Projection *p : parts) {
        anyPacked = anyPacked || p->packed;
        biasesStacked = biasesStacked && p->bias.defined() == stackedBias.defined();
    }
    return !anyPacked && isFloatMatrix(stacked) && biasesStacked &&
           (!stackedBias.defined() || isFloatMatrix(stackedBias));
}

// Projections reading the same x, their outputs one after another in y: one pass (one thread
// hand-off) over all their rows where they are all quantised or stacked in one fp32 tensor.
void projectGroup(const std::vector<const Projection *> &parts, const torch::Tensor &stacked,
                  const torch::Tensor &stackedBias, const float *x, float *y)
{
    bool allPacked = true;
    for (const Projection *p : parts)
        allPacked = allPacked && p->packed;
    if (allPacked) {
        std::vector<const QuantizedMatrix *> matrices;
        std::vector<float *> outputs;
        float *out = y;
        for (const Projection *p : parts) {
            matrices.push_back(p->packed.get());
            outputs.push_back(out);
            out += p->packed->rows;
        }
        quantizedGemvGroup(matrices, x, outputs);
        out = y;
        for (const Projection *p : parts) {
            if (p->bias.defined()) {
                const float *b = p->bias.data_ptr<float>();
                for (int64_t r = 0; r < p->packed->rows; ++r)
                    out[r] += b[r];
            }
            out += p->packed->rows;
        }
        return;
    }
    if (stackedApplies(parts, stacked, stackedBias)) {
        floatGemv(stacked.data_ptr<float>(), stacked.size(0), stacked.size(1), x,
                  stackedBias.defined() ? stackedBias.data_ptr<float>() : nullptr, y);
        return;
    }
    for (const Projection *p : parts) {
        project(*p, x, y);
        y += p->packed ? p->packed->rows : p->weight.size(0);
    }
}

// out = weight * (x * rsqrt(mean(x^2) + eps)), as LlamaRMSNorm in fp32.
void rmsNorm(const float *x, const float *weight, int64_t n, double eps, float *out)
{
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i)
        sum += x[i] * x[i];
    const float rstd = 1.0f / std::sqrt(sum / static_cast<float>(n) + static_cast<float>(eps));
    for (int64_t i = 0; i < n; ++i)
        out[i] = weight[i] * (x[i] * rstd);
}

// x * cos + rotate_half(x) * sin for `heads` heads of D floats.
void rotary(float *x, int64_t heads, int64_t D, const float *cos, const float *sin)
{
    const int64_t half = D / 2;
    for (int64_t h = 0; h < heads; ++h, x += D)
        for (int64_t i = 0; i < half; ++i) {
            const float a = x[i], b = x[i + half];
            x[i] = a * cos[i] - b * sin[i];
            x[i + half] = b * cos[i + half] + a * sin[i + half];
        }
}

struct Scratch
{
    std::vector<float> h, qkv, attended, gateUp, scores;
};

// y (batch, out) = p x (batch, in) (+ bias): the fp32 weight read once for all rows; quantised
// blocks row by row.
void projectBatch(const Projection &p, const float *x, int64_t batch, int64_t in, int64_t out,
                  float *y)
{
    if (p.packed) {
        for (int64_t b = 0; b < batch; ++b)
            project(p, x + b * in, y + b * out);
        return;
    }
    floatGemvBatch(p.weight.data_ptr<float>(), out, in, x, batch,
                   p.bias.defined() ? p.bias.data_ptr<float>() : nullptr, y);
}

// projectGroup for `batch` rows: x (batch, in), y (batch, sum of the parts' rows).
void projectGroupBatch(const std::vector<const Projection *> &parts, const torch::Tensor &stacked,
                       const torch::Tensor &stackedBias, const float *x, int64_t batch,
                       int64_t in, int64_t out, float *y)
{
    if (stackedApplies(parts, stacked, stackedBias)) {
        floatGemvBatch(stacked.data_ptr<float>(), out, in, x, batch,
                       stackedBias.defined() ? stackedBias.data_ptr<float>() : nullptr, y);
        return;
    }
    for (int64_t b = 0; b < batch; ++b)
        projectGroup(parts, stacked, stackedBias, x + b * in, y + b * out);
}

} // namespace

void setDecodeStepEnabled(bool enabled)
{
    g_enabled = enabled;
}

bool decodeStepEnabled()
{
    return g_enabled;
}

bool decodeStepApplies(const ModelConfig &config, const DecoderWeights &weights,
                       const KvCache &cache, bool adapters, int64_t batch)
{
    if (!g_enabled || config.family != ArchitectureFamily::Llama || config.activation != "silu" ||
        config.headDim % 2 != 0 || cache.keys.size() != weights.layers.size() ||
        cache.values.size() != weights.layers.size())
        return false;
    for (size_t i = 0; i < weights.layers.size(); ++i) {
        const LayerWeights &w = weights.layers[i];
        if (!isFloatMatrix(cache.keys[i]) || !isFloatMatrix(cache.values[i]) ||
            cache.keys[i].size(0) != batch || !isFloatMatrix(w.inputNorm) ||
            !isFloatMatrix(w.postAttentionNorm))
            return false;
        for (const Projection *p : {&w.q, &w.k, &w.v, &w.o, &w.gate, &w.up, &w.down})
            if (!projectionApplies(*p, adapters))
                return false;
    }
    return true;
}

void decodeLayers(const ModelConfig &config, const DecoderWeights &weights, KvCache &cache,
                  int64_t past, const float *cos, const float *sin, float *x)
{
    const int64_t C = config.hiddenSize, D = config.headDim, H = config.numHeads;
    const int64_t Hkv = config.numKvHeads, G = H / Hkv, I = config.intermediateSize;
    const int64_t S = past + 1, capacity = cache.capacity;
    if (S > capacity)
        throw Error(ErrorKind::Internal, "KV cache capacity exceeded");
    thread_local Scratch scratch;
    scratch.h.resize(C);
    scratch.qkv.resize((H + 2 * Hkv) * D);
    scratch.attended.resize(H * D);
    scratch.gateUp.resize(2 * I);
    scratch.scores.resize(H * S);
    float *h = scratch.h.data(), *q = scratch.qkv.data(), *k = q + H * D, *v = k + Hkv * D;
    float *attended = scratch.attended.data(), *gate = scratch.gateUp.data(), *up = gate + I;
    float *scores = scratch.scores.data();
    for (size_t layer = 0; layer < weights.layers.size(); ++layer) {
        const LayerWeights &w = weights.layers[layer];
        rmsNorm(x, w.inputNorm.data_ptr<float>(), C, config.normEps, h);
        projectGroup({&w.q, &w.k, &w.v}, w.qkvWeight, w.qkvBias, h, q);
        rotary(q, H, D, cos, sin);
        rotary(k, Hkv, D, cos, sin);
        float *keys = cache.keys[layer].data_ptr<float>();      // (1, Hkv, capacity, D)
        float *values = cache.values[layer].data_ptr<float>();
        for (int64_t g = 0; g < Hkv; ++g) {
            std::copy(k + g * D, k + (g + 1) * D, keys + (g * capacity + past) * D);
            std::copy(v + g * D, v + (g + 1) * D, values + (g * capacity + past) * D);
        }
        const auto attendHeads = [&](int64_t begin, int64_t end) {
            for (int64_t head = begin; head < end; ++head) {
                const int64_t g = head / G;
                attendHead(q + head * D, keys + g * capacity * D, values + g * capacity * D,
                           S, D, nullptr, scores + head * S, attended + head * D);
            }
        };
        // Long contexts share the heads out; a short one is not worth a hand-off.
        if (S * D * H >= (1 << 17))
            decodeworkers::parallelFor(H, 1, attendHeads);
        else
            attendHeads(0, H);
        project(w.o, attended, h);
        for (int64_t i = 0; i < C; ++i)
            x[i] += h[i];
        rmsNorm(x, w.postAttentionNorm.data_ptr<float>(), C, config.normEps, h);
        projectGroup({&w.gate, &w.up}, w.gateUpWeight, w.gateUpBias, h, gate);
        for (int64_t i = 0; i < I; ++i)
            gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
        project(w.down, gate, h);
        for (int64_t i = 0; i < C; ++i)
            x[i] += h[i];
    }
}

void decodeLayersBatch(const ModelConfig &config, const DecoderWeights &weights, KvCache &cache,
                       int64_t past, int64_t batch, const float *cos, const float *sin,
                       const bool *masked, float *x)
{
    const int64_t C = config.hiddenSize, D = config.headDim, H = config.numHeads;
    const int64_t Hkv = config.numKvHeads, G = H / Hkv, I = config.intermediateSize;
    const int64_t S = past + 1, capacity = cache.capacity, B = batch;
    const int64_t QKV = (H + 2 * Hkv) * D;
    if (S > capacity)
        throw Error(ErrorKind::Internal, "KV cache capacity exceeded");
    thread_local Scratch scratch;
    scratch.h.resize(B * C);
    scratch.qkv.resize(B * QKV);
    scratch.attended.resize(B * H * D);
    scratch.gateUp.resize(B * 2 * I);
    scratch.scores.resize(B * H * S);
    float *h = scratch.h.data(), *qkv = scratch.qkv.data(), *attended = scratch.attended.data();
    float *gateUp = scratch.gateUp.data(), *scores = scratch.scores.data();
    for (size_t layer = 0; layer < weights.layers.size(); ++layer) {
        const LayerWeights &w = weights.layers[layer];
        for (int64_t b = 0; b < B; ++b)
            rmsNorm(x + b * C, w.inputNorm.data_ptr<float>(), C, config.normEps, h + b * C);
        projectGroupBatch({&w.q, &w.k, &w.v}, w.qkvWeight, w.qkvBias, h, B, C, QKV, qkv);
        float *keys = cache.keys[layer].data_ptr<float>();      // (B, Hkv, capacity, D)
        float *values = cache.values[layer].data_ptr<float>();
        for (int64_t b = 0; b < B; ++b) {
            float *q = qkv + b * QKV, *k = q + H * D, *v = k + Hkv * D;
            rotary(q, H, D, cos + b * D, sin + b * D);
            rotary(k, Hkv, D, cos + b * D, sin + b * D);
            for (int64_t g = 0; g < Hkv; ++g) {
                const int64_t at = ((b * Hkv + g) * capacity + past) * D;
                std::copy(k + g * D, k + (g + 1) * D, keys + at);
                std::copy(v + g * D, v + (g + 1) * D, values + at);
            }
        }
        const auto attendHeads = [&](int64_t begin, int64_t end) {
            for (int64_t item = begin; item < end; ++item) {
                const int64_t b = item / H, head = item % H, g = head / G;
                const int64_t base = (b * Hkv + g) * capacity * D;
                attendHead(qkv + b * QKV + head * D, keys + base, values + base, S, D,
                                 masked ? masked + b * S : nullptr, scores + item * S,
                                 attended + item * D);
            }
        };
        if (B * S * D * H >= (1 << 17))
            decodeworkers::parallelFor(B * H, 1, attendHeads);
        else
            attendHeads(0, B * H);
        projectBatch(w.o, attended, B, H * D, C, h);
        for (int64_t i = 0; i < B * C; ++i)
            x[i] += h[i];
        for (int64_t b = 0; b < B; ++b)
            rmsNorm(x + b * C, w.postAttentionNorm.data_ptr<float>(), C, config.normEps, h + b * C);
        projectGroupBatch({&w.gate, &w.up}, w.gateUpWeight, w.gateUpBias, h, B, C, 2 * I, gateUp);
        for (int64_t b = 0; b < B; ++b) {
            float *gate = gateUp + b * 2 * I, *up = gate + I;
            for (int64_t i = 0; i < I; ++i)
                gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
            // Compact the activations to (B, I) rows for the down projection.
            std::copy(gate, gate + I, gateUp + b * I);
        }
        projectBatch(w.down, gateUp, B, I, C, h);
        for (int64_t i = 0; i < B * C; ++i)
            x[i] += h[i];
    }
}

} // namespace ft
