// Row-major float32 GEMM on the CPU through oneDNN's sgemm, for the training path's frozen
// projections and LoRA adapters (model/trainingops.cpp). LibTorch's GEMM goes to OpenBLAS
// 0.3.21, whose own pthread pool takes turns with LibTorch's OpenMP pool on every call; oneDNN
// runs in that OpenMP pool, and its JIT kernels are as fast or faster on these shapes (a few
// hundred to a few thousand rows, 576-3072 columns, and the adapters' rank-8 to rank-24 sides).
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace ft::cpugemm {

// oneDNN's row-major sgemm (c = alpha op(a) op(b) + beta c) where this build uses it; false when
// it does not (LibTorch with MKL) or oneDNN declined: the caller then runs LibTorch's GEMM.
bool sgemm(char transposeA, char transposeB, int64_t m, int64_t n, int64_t k, float alpha,
           const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
           int64_t ldc);

// True when every tensor is a defined, contiguous CPU float32 matrix (dim 2).
bool applies(std::initializer_list<torch::Tensor> matrices);

// c = op(a) @ op(b) + beta * c, op = transpose when the flag says so; a, b, c contiguous
// row-major matrices whose shapes agree (checked).
void gemm(const torch::Tensor &a, bool transposeA, const torch::Tensor &b, bool transposeB,
          float beta, torch::Tensor &c);

// op(a) @ op(b) into a new (rows, cols) matrix.
torch::Tensor matmul(const torch::Tensor &a, bool transposeA, const torch::Tensor &b,
                     bool transposeB);

// c = a @ b (accumulate: c += a @ b) for 2-D CPU float32 views in any layout whose rows or
// columns are unit-stride (a transposed view, a block of rows of a wider matrix): through
// oneDNN where the layouts allow, else LibTorch's mm_out / addmm_. Safe inside at::parallel_for
// (oneDNN runs a GEMM called from a parallel region on the calling thread).
void mmOut(torch::Tensor c, const torch::Tensor &a, const torch::Tensor &b, bool accumulate = false);

} // namespace ft::cpugemm
