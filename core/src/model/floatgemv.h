// y = W x for a row-major fp32 matrix W (rows, cols), split over rows on the decode workers
// (model/decodeworkers.h). The single-token path's fp32 projections: memory-bound, so the kernel
// only has to keep loads streaming (AVX-512, or AVX2 + FMA, where the CPU has them, else plain C++).
#pragma once

#include <cstdint>

namespace ft {

// y (rows) = W x (+ bias when not null); W rows are `cols` floats apart.
void floatGemv(const float *weight, int64_t rows, int64_t cols, const float *x, const float *bias,
               float *y);

// y (rows) = W x on the calling thread alone (no bias): the same kernels, for callers that are
// already one task of a parallel job (a decoding step's attention scores, q against each key).
void floatGemvRows(const float *weight, int64_t rows, int64_t cols, const float *x, float *y);

// The same for `batch` inputs at once: x (batch, cols) and y (batch, rows), row-major. The
// weights are read once for all inputs (the batched decoding step's projections).
void floatGemvBatch(const float *weight, int64_t rows, int64_t cols, const float *x, int64_t batch,
                    const float *bias, float *y);

} // namespace ft
