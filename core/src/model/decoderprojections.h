// The projections of a decoder block (model/decoder.h): one linear map, a group of them reading
// the same input, GPT-2's Conv1D, each with the adapters attached to it; and the flags that tell
// them this thread's forward pass is a decoding step, where their fast paths apply (gemv from the
// quantised blocks, weights read once for a batch's rows).
#pragma once

#include "model/decoderweights.h"

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace ft {

// Whether this thread's forward pass is a decoding step: one new token of one sequence after its
// prompt, the case where speed counts. Only there do the GGUF blocks meet an int8-quantised
// activation (model/quantizedgemv.h, as llama.cpp computes); prompts, scoring and training keep
// the exact float32 weights (a prompt's first choice is often a near tie).
bool inDecodingStep();

// Whether it is a batch's decoding step (one new token for each of a few sequences,
// generateBatch): the projections left to LibTorch (the LM head) read their fp32 weights once
// for all rows on the decode workers instead of OpenBLAS's fork-join sgemm.
bool inBatchDecodingStep();
constexpr int64_t kMaxDecodingBatch = 64;  // beyond it a real GEMM (OpenBLAS) reuses more

// Sets both flags for this thread during one forward pass; the previous ones come back after it.
class DecodingStepScope
{
public:
    DecodingStepScope(bool single, bool batch);
    ~DecodingStepScope();
    DecodingStepScope(const DecodingStepScope &) = delete;
    DecodingStepScope &operator=(const DecodingStepScope &) = delete;

private:
    bool m_savedSingle, m_savedBatch;
};

// x @ W^T + b with the projection's adapters (none when `adapters` is false).
torch::Tensor linear(const torch::Tensor &x, const Projection &p, bool adapters);

// Projections that read the same input (q/k/v, gate/up), as one GEMM over their stacked
// weights (`weight`, `bias`, or the compact base) where that gives the same result; one output
// per projection. `stackedOutput`, if given, receives the stacked result when there is one.
std::vector<torch::Tensor> linearGroup(const torch::Tensor &x,
                                       const std::vector<const Projection *> &parts,
                                       const torch::Tensor &weight, const torch::Tensor &bias,
                                       const FrozenMatrix *compact, bool adapters,
                                       torch::Tensor *stackedOutput = nullptr);

// GPT-2's Conv1D: y = x @ W + b with W stored (in, out), and its adapters.
torch::Tensor conv1d(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias,
                     const std::shared_ptr<LoraAdapter> &lora, const std::shared_ptr<Ia3Vector> &ia3,
                     bool adapters);

} // namespace ft
