// The memory estimate: counts of what training keeps alive, from the model's shape alone.
// See docs/training.md ("Memory estimate") for the formulas and how they were checked.
#include "ft/memoryestimate.h"

#include "ft/cudadevice.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace ft {

namespace {

constexpr int64_t kFp32 = 4;

struct LinearModule
{
    const char *name;  // the module path inside a block, e.g. "self_attn.q_proj"
    int64_t in, out;
};

bool isGpt2(const ModelInfo &info)
{
    return info.modelType == "gpt2";
}

int64_t headDim(const ModelInfo &info)
{
    if (info.headDim > 0)
        return info.headDim;
    return info.numHeads > 0 ? info.hiddenSize / info.numHeads : info.hiddenSize;
}

int64_t mlpSize(const ModelInfo &info)
{
    return info.intermediateSize > 0 ? info.intermediateSize : 4 * int64_t(info.hiddenSize);
}

// The linear maps of one decoder block, as peft sees them.
std::vector<LinearModule> blockLinears(const ModelInfo &info)
{
    const int64_t h = info.hiddenSize, mlp = mlpSize(info);
    if (isGpt2(info))
        return {{"attn.c_attn", h, 3 * h}, {"attn.c_proj", h, h},
                {"mlp.c_fc", h, mlp},      {"mlp.c_proj", mlp, h}};
    const int64_t q = int64_t(info.numHeads) * headDim(info);
    const int64_t kv = int64_t(info.numKvHeads > 0 ? info.numKvHeads : info.numHeads) * headDim(info);
    return {{"self_attn.q_proj", h, q},   {"self_attn.k_proj", h, kv}, {"self_attn.v_proj", h, kv},
            {"self_attn.o_proj", q, h},   {"mlp.gate_proj", h, mlp},   {"mlp.up_proj", h, mlp},
            {"mlp.down_proj", mlp, h}};
}

// peft's list matching: the name itself or a "."-suffix of it.
bool targetMatches(const std::string &module, const std::vector<std::string> &targets)
{
    for (const std::string &t : targets) {
        if (t == "all-linear" || t == module)
            return true;
        if (module.size() > t.size() && module.compare(module.size() - t.size(), t.size(), t) == 0 &&
            module[module.size() - t.size() - 1] == '.')
            return true;
    }
    return false;
}

int64_t elementBytes(const std::string &dtype)
{
    if (dtype == "F16" || dtype == "BF16")
        return 2;
    if (dtype == "F64")
        return 8;
    return kFp32;
}

} // namespace

int64_t trainableParameterCount(const ModelInfo &info, const MemoryStrategy &strategy)
{
    const int64_t layers = info.numLayers;
    switch (strategy.method) {
    case TuningMethod::Full:
        return info.numParameters;
    case TuningMethod::Freeze:
        return int64_t(std::llround(std::clamp(strategy.trainableShare, 0.0, 1.0) *
                                    double(info.numParameters)));
    case TuningMethod::Lora: {
        int64_t perBlock = 0;
        for (const LinearModule &m : blockLinears(info))
            if (targetMatches(m.name, strategy.loraTargets))
                perBlock += int64_t(strategy.loraR) * (m.in + m.out);
        return perBlock * layers;
    }
    case TuningMethod::Ia3: {
        // One scaling vector per target: k and v outputs, down_proj's (or GPT-2 c_proj's) input.
        int64_t perBlock = 0;
        for (const LinearModule &m : blockLinears(info)) {
            const std::string name = m.name;
            if (name == "self_attn.k_proj" || name == "self_attn.v_proj")
                perBlock += m.out;
            else if (name == "attn.c_attn")
                perBlock += 2 * m.out / 3;
            else if (name == "mlp.down_proj" || name == "mlp.c_proj")
                perBlock += m.in;
        }
        return perBlock * layers;
    }
    case TuningMethod::PromptTuning:
        return int64_t(strategy.promptTokens) * info.hiddenSize;
    }
    return 0;
}

MemoryEstimate estimateTrainingMemory(const ModelInfo &info, const MemoryStrategy &strategy,
                                      int batchSize, int cutoffLen)
{
    MemoryEstimate e;
    e.trainableParameters = trainableParameterCount(info, strategy);
    e.weights = info.numParameters * elementBytes(info.computeDtype);
    if (strategy.basePrecision != BasePrecision::Fp32 && !isGpt2(info)) {
        // The block projections in their compact format, and the buffer the largest group
        // (q/k/v or gate/up stacked, or down) is dequantised into per forward and backward.
        int64_t projection = 0, qkv = 0, gateUp = 0, largest = 0;
        for (const LinearModule &m : blockLinears(info)) {
            projection += m.in * m.out;
            const std::string name = m.name;
            if (name.rfind("self_attn.", 0) == 0 && name != "self_attn.o_proj")
                qkv += m.in * m.out;
            else if (name == "mlp.gate_proj" || name == "mlp.up_proj")
                gateUp += m.in * m.out;
            else
                largest = std::max(largest, m.in * m.out);
        }
        largest = std::max({largest, qkv, gateUp});
        const int64_t projections = projection * info.numLayers;
        e.dequantBuffer = largest * kFp32;
        e.weights += int64_t(std::llround(double(projections) *
                                          basePrecisionBytesPerWeight(strategy.basePrecision))) -
                     projections * elementBytes(info.computeDtype) + e.dequantBuffer;
    }
    e.gradients = e.trainableParameters * kFp32;
    e.optimizer = 2 * e.trainableParameters * kFp32;

    // Activations autograd keeps for backward, in fp32 elements per token (see docs/training.md):
    // per block  3h per norm (input, normalised, scaled) x 2, q k v and the rotated q k,
    //            the attention context, the softmax output and the masked scores
    //            (2 * heads * seq), the MLP's gate, up, act(gate), product (GPT-2: fc, gelu);
    // once       the final norm (3h), logits, log-softmax and their gradient (3 * vocab).
    // One more block's worth for the gradients in flight during backward.
    const int64_t seq = int64_t(std::max(cutoffLen, 1)) +
                        (strategy.method == TuningMethod::PromptTuning ? strategy.promptTokens : 0);
    const int64_t tokens = int64_t(std::max(batchSize, 1)) * seq;
    const int64_t h = info.hiddenSize, mlp = mlpSize(info);
    const int64_t q = isGpt2(info) ? h : int64_t(info.numHeads) * headDim(info);
    const int64_t kv = isGpt2(info) ? h
                                    : int64_t(info.numKvHeads > 0 ? info.numKvHeads : info.numHeads) *
                                          headDim(info);
    const int64_t mlpSaved = isGpt2(info) ? 2 * mlp : 4 * mlp;
    int64_t perBlock = 6 * h + 3 * q + 3 * kv + mlpSaved + 2 * int64_t(info.numHeads) * seq;
    if (strategy.method == TuningMethod::Lora)
        for (const LinearModule &m : blockLinears(info))
            if (targetMatches(m.name, strategy.loraTargets))
                perBlock += m.in + strategy.loraR;  // the dropout output and A x
    const int64_t head = 3 * h + 3 * int64_t(info.vocabSize);
    // Checkpointed blocks keep only their input (h); one block at a time is run again in backward.
    const int64_t blocks = strategy.gradientCheckpointing
                               ? int64_t(info.numLayers) * h + 2 * perBlock
                               : (int64_t(info.numLayers) + 1) * perBlock;
    e.activations = tokens * (blocks + head) * kFp32;
    return e;
}

MemoryVerdict memoryVerdict(int64_t needed, int64_t available)
{
    if (available <= 0 || needed > available)
        return MemoryVerdict::DoesNotFit;
    return double(needed) > 0.8 * double(available) ? MemoryVerdict::Tight : MemoryVerdict::Fits;
}

const char *memoryVerdictName(MemoryVerdict verdict)
{
    switch (verdict) {
    case MemoryVerdict::Fits: return "fits";
    case MemoryVerdict::Tight: return "tight";
    case MemoryVerdict::DoesNotFit: return "does not fit";
    }
    return "";
}

const char *tuningMethodName(TuningMethod method)
{
    switch (method) {
    case TuningMethod::Full: return "full";
    case TuningMethod::Freeze: return "freeze";
    case TuningMethod::Lora: return "lora";
    case TuningMethod::Ia3: return "ia3";
    case TuningMethod::PromptTuning: return "prompt";
    }
    return "";
}

int64_t physicalMemoryBytes()
{
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && pageSize > 0 ? int64_t(pages) * pageSize : 0;
}

std::optional<int64_t> acceleratorMemoryBytes()
{
    // The GPU's whole memory, as the CPU's side counts all of RAM (device "auto" trains there).
    if (const auto gpu = firstCudaDevice())
        return gpu->totalBytes;
    return std::nullopt;  // a CPU-only LibTorch, or no device
}

} // namespace ft
