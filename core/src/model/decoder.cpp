#include "model/decoder.h"

#include "ft/error.h"
#include "model/blockcheckpoint.h"
#include "model/decoderprojections.h"
#include "model/decodestep.h"
#include "model/fusedkernels.h"
#include "model/inferenceattention.h"
#include "model/segmentattention.h"
#include "model/trainingops.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ft {
namespace {

bool trains(const torch::Tensor &t) { return t.defined() && t.requires_grad(); }

bool trains(const std::shared_ptr<LoraAdapter> &lora)
{
    return lora && (trains(lora->a) || trains(lora->b) || trains(lora->magnitude));
}

bool trains(const std::shared_ptr<Ia3Vector> &ia3) { return ia3 && trains(ia3->l); }

bool trains(const Projection &p)
{
    return trains(p.weight) || trains(p.bias) || trains(p.lora) || trains(p.ia3);
}

// Whether backward has anything to do in this block (checkpointing skips frozen ones).
bool layerTrains(const LayerWeights &w)
{
    for (const torch::Tensor *t : {&w.inputNorm, &w.postAttentionNorm, &w.qkvWeight, &w.qkvBias,
                                   &w.gateUpWeight, &w.gateUpBias, &w.ln1, &w.ln1Bias, &w.ln2,
                                   &w.ln2Bias, &w.cAttn, &w.cAttnBias, &w.cProj, &w.cProjBias,
                                   &w.fc, &w.fcBias, &w.mlpProj, &w.mlpProjBias})
        if (trains(*t))
            return true;
    for (const Projection *p : {&w.q, &w.k, &w.v, &w.o, &w.gate, &w.up, &w.down})
        if (trains(*p))
            return true;
    return trains(w.cAttnLora) || trains(w.cProjLora) || trains(w.fcLora) ||
           trains(w.mlpProjLora) || trains(w.cAttnIa3) || trains(w.cProjIa3) ||
           trains(w.fcIa3) || trains(w.mlpProjIa3);
}

// RMSNorm as in LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) * weight, in fp32.
torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &weight, double eps)
{
    if (useTrainingOps(x) || weight.requires_grad())
        return rmsNormTrain(x, weight, eps);
    torch::Tensor variance = x.pow(2).mean(-1, true);
    return weight * (x * torch::rsqrt(variance + eps));
}

} // namespace

Decoder::Decoder(const ModelConfig &config, const DecoderWeights &weights)
    : m_config(config), m_weights(weights)
{
    if (config.family == ArchitectureFamily::Llama)
        m_rope = Rope(config);
}

int64_t Decoder::virtualTokenCount(bool useAdapters) const
{
    return useAdapters && m_weights.virtualTokens.defined() ? m_weights.virtualTokens.size(0) : 0;
}

KvCache Decoder::newCache(int64_t batch, int64_t capacity) const
{
    KvCache cache;
    cache.capacity = capacity;
    const auto options = torch::TensorOptions().dtype(torch::kFloat32);
    for (int i = 0; i < m_config.numLayers; ++i) {
        cache.keys.push_back(torch::empty({batch, m_config.numKvHeads, capacity, m_config.headDim}, options));
        cache.values.push_back(torch::empty({batch, m_config.numKvHeads, capacity, m_config.headDim}, options));
    }
    return cache;
}

torch::Tensor Decoder::activation(const torch::Tensor &x) const
{
    const std::string &a = m_config.activation;
    if (a == "silu")
        return torch::silu(x);
    if (a == "gelu_new" || a == "gelu_pytorch_tanh")
        return torch::gelu(x, "tanh");
    if (a == "gelu")
        return torch::gelu(x);
    return torch::relu(x);
}

// q: (B, T, H, D), k and v: (B, T, Hkv, D) -> (B, T, H * D). A padding-free row attends
// within each of its segments only.
torch::Tensor Decoder::attention(const torch::Tensor &q, const torch::Tensor &k,
                                 const torch::Tensor &v, int layer,
                                 const BlockContext &ctx) const
{
    const bool training = useTrainingOps(q) || useTrainingOps(k) || useTrainingOps(v);
    // Forked segments take the segment kernel without a graph too (the reference pass of DPO).
    if ((training || ctx.forks) && !ctx.cache && !ctx.padding.defined() && segmentAttentionApplies(q, k, v))
        return segmentAttention(q, k, v, ctx.segments ? *ctx.segments : std::vector<int64_t>{q.size(1)},
                                ctx.forks ? *ctx.forks : std::vector<SegmentFork>{});
    if (!ctx.segments || (ctx.segments->size() <= 1 && !ctx.forks))
        return causalAttention(q, k, v, layer, ctx);
    std::vector<torch::Tensor> parts;
    parts.reserve(ctx.segments->size());
    int64_t start = 0;
    for (size_t s = 0; s < ctx.segments->size(); ++s) {
        const int64_t length = (*ctx.segments)[s];
        const SegmentFork fork = ctx.forks ? (*ctx.forks)[s] : SegmentFork{};
        const int64_t main = fork.forked() ? fork.prompt + fork.firstAnswer : length;
        parts.push_back(causalAttention(q.narrow(1, start, main), k.narrow(1, start, main),
                                        v.narrow(1, start, main), layer, ctx));
        if (main < length) {
            // The second answer: its queries after the prompt's keys (past = prompt length).
            const int64_t answer = length - main;
            const auto keysOf = [&](const torch::Tensor &x) {
                return torch::cat({x.narrow(1, start, fork.prompt), x.narrow(1, start + main, answer)}, 1);
            };
            BlockContext branch = ctx;
            branch.past = fork.prompt;
            parts.push_back(causalAttention(q.narrow(1, start + main, answer), keysOf(k), keysOf(v), layer,
                                            branch));
        }
        start += length;
    }
    return torch::cat(parts, 1);
}

// Grouped-query attention without repeating K/V: the G = H / Hkv query heads that share a K/V
// head are stacked along the time axis.
torch::Tensor Decoder::causalAttention(const torch::Tensor &q, const torch::Tensor &k,
                                       const torch::Tensor &v, int layer,
                                       const BlockContext &ctx) const
{
    KvCache *cache = ctx.cache;
    const int64_t past = ctx.past;
    const torch::Tensor &padding = ctx.padding;
    const int64_t B = q.size(0), T = q.size(1), H = m_config.numHeads;
    const int64_t Hkv = m_config.numKvHeads, D = m_config.headDim, G = H / Hkv;
    torch::Tensor keys = k.permute({0, 2, 1, 3});    // (B, Hkv, T, D)
    torch::Tensor values = v.permute({0, 2, 1, 3});  // (B, Hkv, T, D)
    if (cache) {
        if (past + T > cache->capacity)
            throw Error(ErrorKind::Internal, "KV cache capacity exceeded");
        cache->keys[layer].narrow(2, past, T).copy_(keys);
        cache->values[layer].narrow(2, past, T).copy_(values);
        keys = cache->keys[layer].narrow(2, 0, past + T);
        values = cache->values[layer].narrow(2, 0, past + T);
    }
    const int64_t S = keys.size(2);
    if (padding.defined() && padding.size(1) != S)
        throw Error(ErrorKind::Internal, "attention mask length does not match the keys");
    if (inferenceAttentionApplies(q, keys, values))
        return inferenceAttention(q, keys, values, past, padding);
    // (B, T, Hkv, G, D) -> (B, Hkv, G*T, D)
    torch::Tensor queries = q.view({B, T, Hkv, G, D}).permute({0, 2, 3, 1, 4}).reshape({B, Hkv, G * T, D});
    // In place where autograd allows it (matmul's backward does not need its output): one
    // (B, H, T, S) buffer instead of three while training.
    torch::Tensor scores = torch::matmul(queries, keys.transpose(-1, -2));
    scores.div_(std::sqrt(double(D)));
    if (T > 1) {
        // Causal: query t (absolute position past + t) sees keys 0 .. past + t.
        torch::Tensor mask =
            torch::ones({T, S}, scores.options().dtype(torch::kBool)).triu(past + 1);  // (T, S)
        scores.view({B, Hkv, G, T, S}).masked_fill_(mask, -INFINITY);
    }
    if (padding.defined()) {
        // padding: (B, S) true where the key is padding. The lowest float rather than -inf, as
        // transformers does, so a query that sees only padding gets no NaN.
        scores.masked_fill_(padding.view({B, 1, 1, S}), std::numeric_limits<float>::lowest());
    }
    torch::Tensor probs = torch::softmax(scores, -1);
    torch::Tensor out = torch::matmul(probs, values);  // (B, Hkv, G*T, D)
    return out.view({B, Hkv, G, T, D}).permute({0, 3, 1, 2, 4}).reshape({B, T, H * D});
}

torch::Tensor Decoder::llamaBlock(torch::Tensor x, int layer, const torch::Tensor &cos,
                                  const torch::Tensor &sin, const BlockContext &ctx) const
{
    const LayerWeights &w = m_weights.layers[layer];
    const int64_t B = x.size(0), T = x.size(1), D = m_config.headDim;
    torch::Tensor h = rmsNorm(x, w.inputNorm, m_config.normEps);
    const std::vector<torch::Tensor> qkv =
        linearGroup(h, {&w.q, &w.k, &w.v}, w.qkvWeight, w.qkvBias, w.qkvCompact.get(), ctx.adapters);
    torch::Tensor q = qkv[0].view({B, T, m_config.numHeads, D});
    torch::Tensor k = qkv[1].view({B, T, m_config.numKvHeads, D});
    torch::Tensor v = qkv[2].view({B, T, m_config.numKvHeads, D});
    q = useTrainingOps(q) ? rotary(q, cos, sin) : Rope::apply(q, cos, sin);
    k = useTrainingOps(k) ? rotary(k, cos, sin) : Rope::apply(k, cos, sin);
    x = x + linear(attention(q, k, v, layer, ctx), w.o, ctx.adapters);
    h = rmsNorm(x, w.postAttentionNorm, m_config.normEps);
    torch::Tensor stacked;
    const std::vector<torch::Tensor> gateUp =
        linearGroup(h, {&w.gate, &w.up}, w.gateUpWeight, w.gateUpBias, w.gateUpCompact.get(),
                    ctx.adapters, &stacked);
    const torch::Tensor &gate = gateUp[0], &up = gateUp[1];
    const bool silu = m_config.activation == "silu";
    torch::Tensor gated = silu && stacked.defined() && useTrainingOps(stacked) ? siluMulStacked(stacked)
                          : silu && (useTrainingOps(gate) || useTrainingOps(up)) ? siluMul(gate, up)
                                                                               : activation(gate) * up;
    return x + linear(gated, w.down, ctx.adapters);
}

torch::Tensor Decoder::gpt2Block(torch::Tensor x, int layer, const BlockContext &ctx) const
{
    const LayerWeights &w = m_weights.layers[layer];
    const int64_t B = x.size(0), T = x.size(1), C = m_config.hiddenSize, D = m_config.headDim;
    const double eps = m_config.normEps;
    torch::Tensor h = torch::layer_norm(x, {C}, w.ln1, w.ln1Bias, eps);
    std::vector<torch::Tensor> qkv =
        conv1d(h, w.cAttn, w.cAttnBias, w.cAttnLora, w.cAttnIa3, ctx.adapters).split(C, -1);
    torch::Tensor q = qkv[0].view({B, T, m_config.numHeads, D});
    torch::Tensor k = qkv[1].view({B, T, m_config.numHeads, D});
    torch::Tensor v = qkv[2].view({B, T, m_config.numHeads, D});
    x = x + conv1d(attention(q, k, v, layer, ctx), w.cProj, w.cProjBias,
                   w.cProjLora, w.cProjIa3, ctx.adapters);
    h = torch::layer_norm(x, {C}, w.ln2, w.ln2Bias, eps);
    return x + conv1d(activation(conv1d(h, w.fc, w.fcBias, w.fcLora, w.fcIa3, ctx.adapters)),
                      w.mlpProj, w.mlpProjBias, w.mlpProjLora, w.mlpProjIa3, ctx.adapters);
}

torch::Tensor Decoder::forward(const ForwardInputs &inputs) const
{
    const torch::Tensor &ids = inputs.ids;  // (B, T)
    const int64_t B = ids.size(0), T = ids.size(1);
    const int64_t past = inputs.cache ? inputs.cache->length : 0;
    // Prompt tuning: P virtual tokens before the ids at a sequence's first pass.
    const int64_t P = past == 0 ? virtualTokenCount(inputs.useAdapters) : 0;
    const int64_t S = P + T;  // positions this pass adds
    const DecodingStepScope decodingStep(inputs.cache && past > 0 && S == 1 && B == 1,
                                         inputs.cache && past > 0 && S == 1 && B > 1 &&
                                             B <= kMaxDecodingBatch);
    torch::Tensor positions;
    if (!inputs.positions.defined())
        positions = torch::arange(past, past + S, ids.options().dtype(torch::kInt64))
                        .unsqueeze(0)
                        .expand({B, S});
    else if (P == 0)
        positions = inputs.positions;
    else
        positions = torch::cat({torch::arange(P, ids.options().dtype(torch::kInt64)).unsqueeze(0).expand({B, P}),
                                inputs.positions + P}, 1);
    if (T == 0)
        throw Error(ErrorKind::BadInput, "the prompt is empty: at least one token is needed");
    const auto maxId = ids.max().item<int64_t>(), minId = ids.min().item<int64_t>();
    if (minId < 0 || maxId >= m_config.vocabSize)
        throwBadInput("token id " + std::to_string(minId < 0 ? minId : maxId) +
                      " is outside the model's vocabulary (0.." +
                      std::to_string(m_config.vocabSize - 1) + ")");

    torch::Tensor padding;  // (B, past + S) bool, true = masked key
    if (inputs.attentionMask.defined()) {
        if (inputs.attentionMask.dim() != 2 || inputs.attentionMask.size(0) != B ||
            inputs.attentionMask.size(1) != past + T)
            throwBadInput("the attention mask must have shape (batch, " +
                          std::to_string(past + T) + ")");
        padding = inputs.attentionMask.eq(0);
        if (P > 0)
            padding = torch::cat({torch::zeros({B, P}, padding.options()), padding}, 1);
    }

    BlockContext ctx{inputs.cache, past, padding, nullptr, inputs.useAdapters};
    if (!inputs.segments.empty()) {
        int64_t total = 0;
        for (int64_t length : inputs.segments)
            total += length > 0 ? length : T + 1;
        if (B != 1 || inputs.cache || padding.defined() || total != T || P > 0)
            throw Error(ErrorKind::Internal,
                        "padding-free segments need one row, no cache, mask or virtual tokens, "
                        "and lengths adding up to the row");
        ctx.segments = &inputs.segments;
        if (!inputs.forks.empty()) {
            if (inputs.forks.size() != inputs.segments.size())
                throw Error(ErrorKind::Internal, "forks must be given one per segment");
            for (size_t s = 0; s < inputs.forks.size(); ++s)
                if (inputs.forks[s].prompt < 0 || inputs.forks[s].firstAnswer < 0 ||
                    inputs.forks[s].prompt + inputs.forks[s].firstAnswer > inputs.segments[s])
                    throw Error(ErrorKind::Internal, "a fork does not fit its segment");
            ctx.forks = &inputs.forks;
        }
    }

    // A trained embedding tied to the head gets a sparse gradient (the looked-up rows only): the
    // head's dense gradient reaches the same accumulator in the same backward pass, so the sum
    // stays dense (what AdamW takes) and a zero-filled (V, C) buffer per micro-batch is saved.
    const bool sparseGradient = m_weights.embed.requires_grad() && torch::GradMode::is_enabled() &&
                                m_weights.lmHead.weight.is_same(m_weights.embed);
    torch::Tensor x = torch::embedding(m_weights.embed, ids, -1, false, sparseGradient);  // (B, T, C)
    if (P > 0)
        x = torch::cat({m_weights.virtualTokens.unsqueeze(0).expand({B, P, x.size(2)}), x}, 1);
    if (m_config.family == ArchitectureFamily::Gpt2) {
        // A padding-free row holds several sequences, each with its own positions.
        const int64_t longest = ctx.segments ? *std::max_element(ctx.segments->begin(),
                                                                 ctx.segments->end())
                                             : past + S;
        if (longest > m_config.maxPositions)
            throwBadInput("sequence of " + std::to_string(longest) +
                          " tokens exceeds the model's " + std::to_string(m_config.maxPositions) +
                          " positions");
        x = x + torch::embedding(m_weights.positions, positions);
        for (int i = 0; i < m_config.numLayers; ++i)
            x = runBlock(x, i, {}, {}, ctx);
        x = torch::layer_norm(x, {m_config.hiddenSize}, m_weights.finalNorm,
                              m_weights.finalNormBias, m_config.normEps);
    } else {
        auto [cos, sin] = m_rope.cosSin(positions);
        if (inDecodingStep() && !padding.defined() && !ctx.segments && !x.requires_grad() &&
            fused::applies({x}) && decodeStepApplies(m_config, m_weights, *inputs.cache, ctx.adapters)) {
            x = x.contiguous();
            const torch::Tensor c = cos.contiguous(), s = sin.contiguous();
            decodeLayers(m_config, m_weights, *inputs.cache, past, c.data_ptr<float>(),
                         s.data_ptr<float>(), x.data_ptr<float>());
        } else if (inBatchDecodingStep() && !ctx.segments &&
                   !x.requires_grad() && fused::applies({x}) &&
                   decodeStepApplies(m_config, m_weights, *inputs.cache, ctx.adapters, B)) {
            // A batch's decoding step (generateBatch): the same fused loops, weights read once.
            x = x.contiguous();
            const torch::Tensor c = cos.contiguous(), s = sin.contiguous();
            const torch::Tensor masked = padding.defined() ? padding.contiguous() : padding;
            decodeLayersBatch(m_config, m_weights, *inputs.cache, past, B, c.data_ptr<float>(),
                              s.data_ptr<float>(),
                              masked.defined() ? masked.data_ptr<bool>() : nullptr,
                              x.data_ptr<float>());
        } else {
            for (int i = 0; i < m_config.numLayers; ++i)
                x = runBlock(x, i, cos, sin, ctx);
        }
        x = rmsNorm(x, m_weights.finalNorm, m_config.normEps);
    }
    if (inputs.cache)
        inputs.cache->length = past + S;
    x = inputs.allPositions ? x.narrow(1, P, T) : x.narrow(1, S - 1, 1);
    if (inputs.hiddenOnly)
        return x;
    return project(x);  // (B, T or 1, V)
}

torch::Tensor Decoder::runBlock(const torch::Tensor &x, int layer, const torch::Tensor &cos,
                                const torch::Tensor &sin, const BlockContext &ctx) const
{
    const bool gpt2 = m_config.family == ArchitectureFamily::Gpt2;
    const bool checkpoint = m_checkpointBlocks && !ctx.cache && torch::GradMode::is_enabled() &&
                            (x.requires_grad() || layerTrains(m_weights.layers[layer]));
    if (!checkpoint)
        return gpt2 ? gpt2Block(x, layer, ctx) : llamaBlock(x, layer, cos, sin, ctx);
    // The second run happens in backward, after the caller's inputs are gone: it owns copies of
    // what the context points to.
    struct KeptContext
    {
        std::vector<int64_t> segments;
        std::vector<SegmentFork> forks;
        BlockContext ctx;
    };
    auto kept = std::make_shared<KeptContext>();
    kept->ctx = ctx;
    if (ctx.segments) {
        kept->segments = *ctx.segments;
        kept->ctx.segments = &kept->segments;
    }
    if (ctx.forks) {
        kept->forks = *ctx.forks;
        kept->ctx.forks = &kept->forks;
    }
    return checkpointedBlock(
        [this, gpt2, layer, cos, sin, kept](const torch::Tensor &in) {
            return gpt2 ? gpt2Block(in, layer, kept->ctx) : llamaBlock(in, layer, cos, sin, kept->ctx);
        },
        x);
}

torch::Tensor Decoder::project(const torch::Tensor &hidden) const
{
    return linear(hidden, m_weights.lmHead, false);
}

} // namespace ft
