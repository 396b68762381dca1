#include "model/decoderweights.h"

#include "ft/error.h"
#include "model/basecompaction.h"

#include <torch/torch.h>

#include <sstream>
#include <utility>
#include <vector>

namespace ft {
namespace {

std::string shapeText(const std::vector<int64_t> &shape)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i)
        out << (i ? ", " : "") << shape[i];
    out << ']';
    return out.str();
}

class WeightLoader
{
public:
    // stripPrefix: removed from canonical names to get the stored ones (old GPT-2 files).
    WeightLoader(const WeightSource &source, DecoderWeights &weights, std::string stripPrefix,
                 size_t expectedCount, const std::function<void(double)> &onProgress)
        : m_source(source), m_weights(weights), m_stripPrefix(std::move(stripPrefix)),
          m_expected(expectedCount), m_onProgress(onProgress) {}

    torch::Tensor take(const std::string &name, std::vector<int64_t> shape)
    {
        const std::string stored = storedName(name);
        if (!m_source.has(stored))
            throwBadInput(m_source.origin() + ": missing tensor '" + stored + "'");
        const auto actual = m_source.shape(stored);
        if (actual != shape)
            throwBadInput(m_source.origin() + ": tensor '" + stored + "' has shape " +
                          shapeText(actual) + ", the config needs " + shapeText(shape));
        torch::Tensor tensor = m_source.loadFloat32(stored);
        m_weights.named[name] = tensor;
        m_weights.storedDtypes[name] = m_source.dtypeName(stored);
        ++m_loaded;
        if (m_onProgress && m_expected > 0)
            m_onProgress(std::min(1.0, double(m_loaded) / double(m_expected)));
        return tensor;
    }
    torch::Tensor takeIf(bool wanted, const std::string &name, std::vector<int64_t> shape)
    {
        return wanted ? take(name, std::move(shape)) : torch::Tensor();
    }
private:
    std::string storedName(const std::string &canonical) const
    {
        if (!m_stripPrefix.empty() && canonical.rfind(m_stripPrefix, 0) == 0)
            return canonical.substr(m_stripPrefix.size());
        return canonical;
    }

    const WeightSource &m_source;
    DecoderWeights &m_weights;
    std::string m_stripPrefix;
    size_t m_expected;
    size_t m_loaded = 0;
    const std::function<void(double)> &m_onProgress;
};

// Copies the projections' weights (and biases, when all have one) into one tensor stacked by
// rows and points each projection, and its entry in `named`, at its rows of it. The old tensors
// are freed, so this costs no memory.
void stackRows(DecoderWeights &w, const std::vector<std::pair<Projection *, std::string>> &parts,
               torch::Tensor &stackedWeight, torch::Tensor &stackedBias)
{
    std::vector<torch::Tensor> weights, biases;
    for (const auto &[p, name] : parts) {
        weights.push_back(p->weight);
        if (p->bias.defined())
            biases.push_back(p->bias);
    }
    stackedWeight = torch::cat(weights, 0);
    if (biases.size() == parts.size())
        stackedBias = torch::cat(biases, 0);
    int64_t row = 0;
    for (const auto &[p, name] : parts) {
        const int64_t rows = p->weight.size(0);
        p->weight = stackedWeight.narrow(0, row, rows);
        w.named[name + ".weight"] = p->weight;
        if (stackedBias.defined()) {
            p->bias = stackedBias.narrow(0, row, rows);
            w.named[name + ".bias"] = p->bias;
        }
        row += rows;
    }
}

void loadLlama(const ModelConfig &c, const WeightSource &source, DecoderWeights &w,
               const std::function<void(double)> &onProgress, BasePrecision precision)
{
    const int64_t C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize;
    const int64_t qOut = int64_t(c.numHeads) * c.headDim, kvOut = int64_t(c.numKvHeads) * c.headDim;
    WeightLoader load(source, w, "", source.tensorNames().size(), onProgress);
    auto projection = [&](const std::string &name, int64_t out, int64_t in, bool bias) {
        Projection p;
        p.weight = load.take(name + ".weight", {out, in});
        p.bias = load.takeIf(bias, name + ".bias", {out});
        p.packed = source.loadQuantized(name + ".weight");
        return p;
    };
    w.embed = load.take("model.embed_tokens.weight", {V, C});
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        LayerWeights l;
        l.inputNorm = load.take(p + "input_layernorm.weight", {C});
        l.postAttentionNorm = load.take(p + "post_attention_layernorm.weight", {C});
        l.q = projection(p + "self_attn.q_proj", qOut, C, c.qkvBias);
        l.k = projection(p + "self_attn.k_proj", kvOut, C, c.qkvBias);
        l.v = projection(p + "self_attn.v_proj", kvOut, C, c.qkvBias);
        l.o = projection(p + "self_attn.o_proj", C, qOut, c.outputBias);
        l.gate = projection(p + "mlp.gate_proj", I, C, c.mlpBias);
        l.up = projection(p + "mlp.up_proj", I, C, c.mlpBias);
        l.down = projection(p + "mlp.down_proj", C, I, c.mlpBias);
        stackRows(w, {{&l.q, p + "self_attn.q_proj"}, {&l.k, p + "self_attn.k_proj"},
                      {&l.v, p + "self_attn.v_proj"}}, l.qkvWeight, l.qkvBias);
        stackRows(w, {{&l.gate, p + "mlp.gate_proj"}, {&l.up, p + "mlp.up_proj"}},
                  l.gateUpWeight, l.gateUpBias);
        if (precision != BasePrecision::Fp32)
            compactLayer(w, l, p, precision);
        w.layers.push_back(std::move(l));
    }
    w.finalNorm = load.take("model.norm.weight", {C});
    // Some tied checkpoints still carry lm_head.weight; use the embedding as transformers does.
    if (c.tieEmbeddings) {
        w.lmHead.weight = w.embed;
        w.lmHead.packed = source.loadQuantized("model.embed_tokens.weight");
    } else {
        w.lmHead = projection("lm_head", V, C, false);
    }
}

void loadGpt2(const ModelConfig &c, const WeightSource &source, DecoderWeights &w,
              const std::function<void(double)> &onProgress)
{
    const int64_t C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize;
    // transformers saves GPT2LMHeadModel keys under "transformer."; the original OpenAI
    // checkpoints (GPT2Model) have none. Canonical names always carry the prefix.
    const bool prefixed = source.has("transformer.wte.weight");
    WeightLoader load(source, w, prefixed ? "" : "transformer.", source.tensorNames().size(),
                      onProgress);
    auto name = [](const std::string &n) { return "transformer." + n; };
    w.embed = load.take(name("wte.weight"), {V, C});
    w.positions = load.take(name("wpe.weight"), {c.maxPositions, C});
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string p = name("h." + std::to_string(i) + ".");
        LayerWeights l;
        l.ln1 = load.take(p + "ln_1.weight", {C});
        l.ln1Bias = load.take(p + "ln_1.bias", {C});
        l.cAttn = load.take(p + "attn.c_attn.weight", {C, 3 * C});
        l.cAttnBias = load.take(p + "attn.c_attn.bias", {3 * C});
        l.cProj = load.take(p + "attn.c_proj.weight", {C, C});
        l.cProjBias = load.take(p + "attn.c_proj.bias", {C});
        l.ln2 = load.take(p + "ln_2.weight", {C});
        l.ln2Bias = load.take(p + "ln_2.bias", {C});
        l.fc = load.take(p + "mlp.c_fc.weight", {C, I});
        l.fcBias = load.take(p + "mlp.c_fc.bias", {I});
        l.mlpProj = load.take(p + "mlp.c_proj.weight", {I, C});
        l.mlpProjBias = load.take(p + "mlp.c_proj.bias", {C});
        w.layers.push_back(std::move(l));
    }
    w.finalNorm = load.take(name("ln_f.weight"), {C});
    w.finalNormBias = load.take(name("ln_f.bias"), {C});
    w.lmHead.weight = c.tieEmbeddings ? w.embed : load.take("lm_head.weight", {V, C});
}

} // namespace

DecoderWeights loadDecoderWeights(const ModelConfig &config, const WeightSource &source,
                                  const std::function<void(double)> &onProgress,
                                  BasePrecision basePrecision)
{
    DecoderWeights weights;
    weights.basePrecision = basePrecision;
    if (config.family == ArchitectureFamily::Gpt2) {
        if (basePrecision != BasePrecision::Fp32)
            throwBadInput(std::string("base_precision \"") + basePrecisionName(basePrecision) +
                          "\": a compact base covers the Llama family's projections; GPT-2 "
                          "models keep an fp32 base");
        loadGpt2(config, source, weights, onProgress);
    } else {
        loadLlama(config, source, weights, onProgress, basePrecision);
    }
    return weights;
}

} // namespace ft
