// How much memory fine-tuning a model takes, before trying: weights, gradients, optimiser state
// and activations for a strategy, batch size and cutoff, and whether that fits this machine.
// Torch-free; the formulas are in docs/training.md ("Memory estimate").
#pragma once

#include "ft/baseprecision.h"
#include "ft/modelinfo.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ft {

enum class TuningMethod { Full, Freeze, Lora, Ia3, PromptTuning };

struct MemoryStrategy
{
    TuningMethod method = TuningMethod::Lora;
    double trainableShare = 0.25;  // Freeze: the share of the parameters that still trains
    int loraR = 8;
    // LoRA targets as module names ("q_proj", "c_attn", ...) or {"all-linear"}.
    std::vector<std::string> loraTargets{"q_proj", "v_proj"};
    int promptTokens = 20;         // prompt tuning: virtual tokens
    // The frozen base's block projections (Llama family) in a compact format: counted at its
    // bytes per weight, plus one float32 buffer the largest projection group dequantises into.
    BasePrecision basePrecision = BasePrecision::Fp32;
    bool gradientCheckpointing = false;  // blocks keep only their input (run.json gradient_checkpointing)
};

struct MemoryEstimate
{
    int64_t trainableParameters = 0;
    int64_t weights = 0;       // bytes, in the compute dtype (block projections: the base precision)
    int64_t dequantBuffer = 0; // of `weights`: the compact base's float32 dequantisation buffer
    int64_t gradients = 0;     // fp32, trainable parameters only
    int64_t optimizer = 0;     // AdamW m and v, fp32
    int64_t activations = 0;   // saved for backward at batch x cutoff tokens, plus the logits
    int64_t total() const { return weights + gradients + optimizer + activations; }
};

enum class MemoryVerdict { Fits, Tight, DoesNotFit };

// trainable parameters of `strategy` on `info`'s architecture (LoRA: r * (in + out) per target
// module, as peft counts them; IA3: peft's llama defaults k_proj, v_proj, down_proj).
int64_t trainableParameterCount(const ModelInfo &info, const MemoryStrategy &strategy);

MemoryEstimate estimateTrainingMemory(const ModelInfo &info, const MemoryStrategy &strategy,
                                      int batchSize, int cutoffLen);

// Fits up to 80 % of `available`, tight up to 100 %, else does not fit.
MemoryVerdict memoryVerdict(int64_t needed, int64_t available);
const char *memoryVerdictName(MemoryVerdict verdict);  // "fits", "tight", "does not fit"
const char *tuningMethodName(TuningMethod method);     // "full", "freeze", "lora", "ia3", "prompt"

// This machine's physical memory (sysconf); 0 when unknown.
int64_t physicalMemoryBytes();
// The accelerator's memory when training would run on one; none in the CPU build.
std::optional<int64_t> acceleratorMemoryBytes();

} // namespace ft
