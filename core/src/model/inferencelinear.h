// x @ W^T + b for inference on the CPU through oneDNN's sgemm (libdnnl, which Debian's LibTorch
// loads anyway) instead of LibTorch's GEMM, which goes to OpenBLAS 0.3.21: on the prefill
// shapes of a small model (a few hundred rows, 576-3072 columns) oneDNN's JIT kernels are
// faster (bench/matmul_bench.cpp, docs/evaluation.md "Speed"). Under 32 rows the decoding
// step's gemv (model/floatgemv.h) reads the weights once for all rows. Training calls the same
// sgemm through model/cpusgemm.h.
#pragma once

#include <torch/types.h>

namespace ft {

// True when inferenceLinear can take x (..., K) and weight (N, K): CPU float32, weight
// contiguous, no gradient mode and nothing that needs one.
bool inferenceLinearApplies(const torch::Tensor &x, const torch::Tensor &weight,
                            const torch::Tensor &bias);

// x @ weight^T + bias (bias may be undefined): (..., N).
torch::Tensor inferenceLinear(const torch::Tensor &x, const torch::Tensor &weight,
                              const torch::Tensor &bias);

} // namespace ft
