#include "model/floatgemv.h"

#include "model/decodeworkers.h"

#include <algorithm>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FT_FLOAT_GEMV_AVX2 1
#endif

namespace ft {
namespace {

using RowsKernel = void (*)(const float *w, int64_t rows, int64_t cols, const float *x, float *y);

void rowsScalar(const float *w, int64_t rows, int64_t cols, const float *x, float *y)
{
    for (int64_t r = 0; r < rows; ++r, w += cols) {
        float sum = 0.0f;
        for (int64_t c = 0; c < cols; ++c)
            sum += w[c] * x[c];
        y[r] = sum;
    }
}

#ifdef FT_FLOAT_GEMV_AVX2
#define FT_AVX2_FMA __attribute__((target("avx2,fma")))

FT_AVX2_FMA inline float horizontalSum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Four rows at a time share each load of x; two accumulators per row hide the FMA latency.
FT_AVX2_FMA void rowsAvx2(const float *w, int64_t rows, int64_t cols, const float *x, float *y)
{
    const int64_t vectorCols = cols & ~int64_t{15};
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *w0 = w + r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int64_t c = 0; c < vectorCols; c += 16) {
            const __m256 x0 = _mm256_loadu_ps(x + c), x1 = _mm256_loadu_ps(x + c + 8);
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + c), x0, a0);
            b0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + c + 8), x1, b0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + c), x0, a1);
            b1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + c + 8), x1, b1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + c), x0, a2);
            b2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + c + 8), x1, b2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + c), x0, a3);
            b3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + c + 8), x1, b3);
        }
        float s0 = horizontalSum(_mm256_add_ps(a0, b0)), s1 = horizontalSum(_mm256_add_ps(a1, b1));
        float s2 = horizontalSum(_mm256_add_ps(a2, b2)), s3 = horizontalSum(_mm256_add_ps(a3, b3));
        for (int64_t c = vectorCols; c < cols; ++c) {
            s0 += w0[c] * x[c];
            s1 += w1[c] * x[c];
            s2 += w2[c] * x[c];
            s3 += w3[c] * x[c];
        }
        y[r] = s0;
        y[r + 1] = s1;
        y[r + 2] = s2;
        y[r + 3] = s3;
    }
    for (; r < rows; ++r) {
        const float *w0 = w + r * cols;
        __m256 a0 = _mm256_setzero_ps(), b0 = a0;
        for (int64_t c = 0; c < vectorCols; c += 16) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + c), _mm256_loadu_ps(x + c), a0);
            b0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + c + 8), _mm256_loadu_ps(x + c + 8), b0);
        }
        float s0 = horizontalSum(_mm256_add_ps(a0, b0));
        for (int64_t c = vectorCols; c < cols; ++c)
            s0 += w0[c] * x[c];
        y[r] = s0;
    }
}

// Four weight rows against two inputs: each weight load serves both rows of x, so a batch reads
// the weights once per pair of rows instead of once per row (eight accumulators, one per dot).
FT_AVX2_FMA void rows4Inputs2Avx2(const float *w, int64_t cols, const float *x0, const float *x1,
                                  float *y0, float *y1)
{
    const int64_t vectorCols = cols & ~int64_t{7};
    const float *w0 = w, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    for (int64_t c = 0; c < vectorCols; c += 8) {
        const __m256 u = _mm256_loadu_ps(x0 + c), v = _mm256_loadu_ps(x1 + c);
        const __m256 r0 = _mm256_loadu_ps(w0 + c), r1 = _mm256_loadu_ps(w1 + c);
        const __m256 r2 = _mm256_loadu_ps(w2 + c), r3 = _mm256_loadu_ps(w3 + c);
        a0 = _mm256_fmadd_ps(r0, u, a0);
        b0 = _mm256_fmadd_ps(r0, v, b0);
        a1 = _mm256_fmadd_ps(r1, u, a1);
        b1 = _mm256_fmadd_ps(r1, v, b1);
        a2 = _mm256_fmadd_ps(r2, u, a2);
        b2 = _mm256_fmadd_ps(r2, v, b2);
        a3 = _mm256_fmadd_ps(r3, u, a3);
        b3 = _mm256_fmadd_ps(r3, v, b3);
    }
    float s[8] = {horizontalSum(a0), horizontalSum(a1), horizontalSum(a2), horizontalSum(a3),
                  horizontalSum(b0), horizontalSum(b1), horizontalSum(b2), horizontalSum(b3)};
    for (int64_t c = vectorCols; c < cols; ++c) {
        s[0] += w0[c] * x0[c];
        s[1] += w1[c] * x0[c];
        s[2] += w2[c] * x0[c];
        s[3] += w3[c] * x0[c];
        s[4] += w0[c] * x1[c];
        s[5] += w1[c] * x1[c];
        s[6] += w2[c] * x1[c];
        s[7] += w3[c] * x1[c];
    }
    std::copy(s, s + 4, y0);
    std::copy(s + 4, s + 8, y1);
}

#define FT_AVX512 __attribute__((target("avx512f")))

// Four weight rows against four inputs in sixteen 16-lane accumulators: each weight load serves
// four rows of x (two loads per four FMAs against the pair kernel's three per four). Batched
// decoding does more FMAs per byte, where the wider registers pay (batch 8: 131-152 against
// 89-127 tokens/s for the AVX2 pair kernel, interleaved runs on an AVX-512 Xeon; 165-184 with
// the prefetch below).
FT_AVX512 __attribute__((always_inline)) inline void accumulate4x4(const float *const w[4], const float *const x[4], int64_t at,
                                    __mmask16 mask, __m512 acc[4][4])
{
    // The next block of four rows, on its way from memory while this one is summed: here the
    // FMAs per byte outnumber what the hardware prefetcher keeps ahead of.
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r)
        _mm_prefetch(reinterpret_cast<const char *>(w[r] + 4 * (w[1] - w[0]) + at), _MM_HINT_T0);
    __m512 xv[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i)
        xv[i] = _mm512_maskz_loadu_ps(mask, x[i] + at);
#pragma GCC unroll 4
    for (int r = 0; r < 4; ++r) {
        const __m512 wv = _mm512_maskz_loadu_ps(mask, w[r] + at);
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i)
            acc[r][i] = _mm512_fmadd_ps(wv, xv[i], acc[r][i]);
    }
}

FT_AVX512 void rows4Inputs4Avx512(const float *w, int64_t cols, const float *const x[4], float *const y[4])
{
    const float *const wr[4] = {w, w + cols, w + 2 * cols, w + 3 * cols};
    __m512 acc[4][4];
#pragma GCC unroll 16
    for (int k = 0; k < 16; ++k)
        acc[k / 4][k % 4] = _mm512_setzero_ps();
    int64_t c = 0;
    for (; c + 16 <= cols; c += 16)
        accumulate4x4(wr, x, c, 0xFFFF, acc);
    if (c < cols)
        accumulate4x4(wr, x, c, static_cast<__mmask16>((1u << (cols - c)) - 1), acc);
#pragma GCC unroll 16
    for (int k = 0; k < 16; ++k)
        y[k % 4][k / 4] = _mm512_reduce_add_ps(acc[k / 4][k % 4]);
}

// The single-row gemv with 64-byte loads: four rows at a time, two 16-lane accumulators each
// and the next block prefetched (39-45 against 34-38 tokens/s for the AVX2 kernel on an
// AVX-512 Xeon, batch 1, and ~7 % more with the prefetch). The
// accumulators must stay in registers: loops over arrays of them are unrolled by pragma, as
// GCC's -O2 keeps them on the stack otherwise (slower than AVX2).
FT_AVX512 void rowsAvx512(const float *w, int64_t rows, int64_t cols, const float *x, float *y)
{
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *const wr[4] = {w + r * cols, w + (r + 1) * cols, w + (r + 2) * cols, w + (r + 3) * cols};
        __m512 a[4], b[4];
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i)
            a[i] = b[i] = _mm512_setzero_ps();
        int64_t c = 0;
        for (; c + 32 <= cols; c += 32) {
            // The next four rows (a prefetch past the matrix's end is harmless: it never faults).
#pragma GCC unroll 4
            for (int i = 0; i < 4; ++i) {
                _mm_prefetch(reinterpret_cast<const char *>(wr[i] + 4 * cols + c), _MM_HINT_T0);
                _mm_prefetch(reinterpret_cast<const char *>(wr[i] + 4 * cols + c + 16), _MM_HINT_T0);
            }
            const __m512 x0 = _mm512_loadu_ps(x + c), x1 = _mm512_loadu_ps(x + c + 16);
#pragma GCC unroll 4
            for (int i = 0; i < 4; ++i) {
                a[i] = _mm512_fmadd_ps(_mm512_loadu_ps(wr[i] + c), x0, a[i]);
                b[i] = _mm512_fmadd_ps(_mm512_loadu_ps(wr[i] + c + 16), x1, b[i]);
            }
        }
        for (; c < cols; c += 16) {
            const __mmask16 mask = cols - c >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (cols - c)) - 1);
            const __m512 x0 = _mm512_maskz_loadu_ps(mask, x + c);
#pragma GCC unroll 4
            for (int i = 0; i < 4; ++i)
                a[i] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, wr[i] + c), x0, a[i]);
        }
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i)
            y[r + i] = _mm512_reduce_add_ps(_mm512_add_ps(a[i], b[i]));
    }
    if (r < rows)
        rowsAvx2(w + r * cols, rows - r, cols, x, y + r);
}

bool hasAvx512()
{
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    return avx512;
}

bool hasAvx2()
{
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return avx2;
}
#endif

// Rows [begin, end) of y[b] = W x[b] for every b: a block of weight rows small enough to stay in
// L1 is taken against all inputs before the next block, so the weights stream from memory once.
void batchRows(const float *w, int64_t cols, const float *x, int64_t batch, float *y,
               int64_t yStride, int64_t begin, int64_t end, RowsKernel kernel)
{
    int64_t r = begin;
#ifdef FT_FLOAT_GEMV_AVX2
    if (hasAvx2())
        for (; r + 4 <= end; r += 4) {
            const float *block = w + r * cols;
            int64_t b = 0;
            if (hasAvx512())
                for (; b + 4 <= batch; b += 4) {
                    const float *const xs[4] = {x + b * cols, x + (b + 1) * cols, x + (b + 2) * cols,
                                                x + (b + 3) * cols};
                    float *const ys[4] = {y + b * yStride + r, y + (b + 1) * yStride + r,
                                          y + (b + 2) * yStride + r, y + (b + 3) * yStride + r};
                    rows4Inputs4Avx512(block, cols, xs, ys);
                }
            for (; b + 2 <= batch; b += 2)
                rows4Inputs2Avx2(block, cols, x + b * cols, x + (b + 1) * cols,
                                 y + b * yStride + r, y + (b + 1) * yStride + r);
            for (; b < batch; ++b)
                kernel(block, 4, cols, x + b * cols, y + b * yStride + r);
        }
#endif
    if (r < end)
        for (int64_t b = 0; b < batch; ++b)
            kernel(w + r * cols, end - r, cols, x + b * cols, y + b * yStride + r);
}

RowsKernel rowsKernel()
{
#ifdef FT_FLOAT_GEMV_AVX2
    if (hasAvx512())
        return rowsAvx512;
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2)
        return rowsAvx2;
#endif
    return rowsScalar;
}

} // namespace

void floatGemvRows(const float *weight, int64_t rows, int64_t cols, const float *x, float *y)
{
    rowsKernel()(weight, rows, cols, x, y);
}

void floatGemv(const float *weight, int64_t rows, int64_t cols, const float *x, const float *bias,
               float *y)
{
    const RowsKernel kernel = rowsKernel();
    // ~64k weights (256 KB) per chunk at least: a claim costs far less than streaming that.
    const int64_t grain = std::max<int64_t>(4, (65536 / std::max<int64_t>(1, cols)) & ~int64_t{3});
    decodeworkers::parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
        kernel(weight + begin * cols, end - begin, cols, x, y + begin);
        if (bias)
            for (int64_t r = begin; r < end; ++r)
                y[r] += bias[r];
    });
}

void floatGemvBatch(const float *weight, int64_t rows, int64_t cols, const float *x, int64_t batch,
                    const float *bias, float *y)
{
    const RowsKernel kernel = rowsKernel();
    const int64_t grain = std::max<int64_t>(4, (65536 / std::max<int64_t>(1, cols)) & ~int64_t{3});
    decodeworkers::parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
        batchRows(weight, cols, x, batch, y, rows, begin, end, kernel);
        if (bias)
            for (int64_t b = 0; b < batch; ++b)
                for (int64_t r = begin; r < end; ++r)
                    y[b * rows + r] += bias[r];
    });
}

} // namespace ft
