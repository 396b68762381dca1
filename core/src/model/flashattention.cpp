#include "model/flashattention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FT_FLASH_AVX512 1
#define FT_AVX512 __attribute__((target("avx512f")))
#endif

namespace ft::flash {

bool applies(int64_t headDim)
{
#ifdef FT_FLASH_AVX512
    static const bool avx512 = __builtin_cpu_supports("avx512f");
    return avx512 && headDim == kHeadDim;
#else
    return false;
#endif
}

void TransposedKeys::build(const Heads &heads, int64_t count, bool withValues)
{
    const int64_t width = (count + kHeadDim - 1) / kHeadDim * kHeadDim;  // whole tiles
    const auto transpose = [&](const float *rows, int64_t stride, std::vector<float> &to) {
        to.assign(static_cast<size_t>(kHeadDim * width), 0.0f);
        for (int64_t t0 = 0; t0 < count; t0 += kHeadDim) {
            float *tile = to.data() + t0 * kHeadDim;
            for (int64_t j = t0; j < std::min(count, t0 + kHeadDim); ++j)
                for (int64_t d = 0; d < kHeadDim; ++d)
                    tile[d * kHeadDim + (j - t0)] = rows[j * stride + d];
        }
    };
    transpose(heads.k, heads.kStride, keys);
    if (withValues)
        transpose(heads.v, heads.vStride, values);
}

#ifdef FT_FLASH_AVX512
namespace {

constexpr int64_t D = kHeadDim;
constexpr int64_t kTile = 64;  // keys per tile, and at most the rows of a block

// All lanes: the zero-masked forms of the intrinsics below, whose unmasked forms GCC 12 builds
// from an undefined vector and then warns about it (-Wmaybe-uninitialized) at -O3.
constexpr __mmask16 kAll = 0xFFFF;

FT_AVX512 inline float horizontalMax(__m512 v)
{
    v = _mm512_maskz_max_ps(kAll, v, _mm512_maskz_shuffle_f32x4(kAll, v, v, 0x4E));
    v = _mm512_maskz_max_ps(kAll, v, _mm512_maskz_shuffle_f32x4(kAll, v, v, 0xB1));
    v = _mm512_maskz_max_ps(kAll, v, _mm512_maskz_permute_ps(kAll, v, 0x4E));
    v = _mm512_maskz_max_ps(kAll, v, _mm512_maskz_permute_ps(kAll, v, 0xB1));
    return _mm512_cvtss_f32(v);
}

FT_AVX512 inline float horizontalSum(__m512 v)
{
    v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(kAll, v, v, 0x4E));
    v = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(kAll, v, v, 0xB1));
    v = _mm512_add_ps(v, _mm512_maskz_permute_ps(kAll, v, 0x4E));
    v = _mm512_add_ps(v, _mm512_maskz_permute_ps(kAll, v, 0xB1));
    return _mm512_cvtss_f32(v);
}

// exp(x) as model/fusedkernels.cpp's vectorExp computes it (Cephes' expf: range reduction by
// ln 2, a degree-5 polynomial), 16 lanes at a time; the power of two applied by scalef.
FT_AVX512 inline __m512 exp16(__m512 x)
{
    x = _mm512_maskz_max_ps(kAll, _mm512_maskz_min_ps(kAll, x, _mm512_set1_ps(88.3f)), _mm512_set1_ps(-87.3f));
    const __m512 n = _mm512_maskz_roundscale_ps(kAll, _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(0.5f)),
                                                _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    x = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    x = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), x);
    const __m512 z = _mm512_mul_ps(x, x);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_fmadd_ps(y, z, _mm512_add_ps(x, _mm512_set1_ps(1.0f)));
    return _mm512_maskz_scalef_ps(kAll, y, n);
}

// Lanes of vector i (of a 64-float row) among its first n floats.
inline __mmask16 firstLanes(int64_t n, int i)
{
    const int64_t m = n - 16 * i;
    return m >= 16 ? __mmask16(0xFFFF) : m <= 0 ? __mmask16(0) : __mmask16((1u << m) - 1);
}

// c[r][0..64) (+)= sum over k < depth of a(r, k) * b[k][0..64), for R rows, where
// a(r, k) = a[r * aRow + k * aStep] (a row-major or a transposed tile) and b's rows are ldb
// apart. The R x 64 sums stay in 4R registers through the whole depth.
template <int R>
FT_AVX512 inline void rowsTimesTile(float *c, int64_t ldc, const float *a, int64_t aRow, int64_t aStep,
                                    const float *b, int64_t ldb, int64_t depth, bool accumulate)
{
    __m512 sum[R][4];
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i)
            sum[r][i] = accumulate ? _mm512_loadu_ps(c + r * ldc + 16 * i) : _mm512_setzero_ps();
    for (int64_t k = 0; k < depth; ++k) {
        const float *bk = b + k * ldb;
        const __m512 b0 = _mm512_loadu_ps(bk), b1 = _mm512_loadu_ps(bk + 16);
        const __m512 b2 = _mm512_loadu_ps(bk + 32), b3 = _mm512_loadu_ps(bk + 48);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) {
            const __m512 x = _mm512_set1_ps(a[r * aRow + k * aStep]);
            sum[r][0] = _mm512_fmadd_ps(x, b0, sum[r][0]);
            sum[r][1] = _mm512_fmadd_ps(x, b1, sum[r][1]);
            sum[r][2] = _mm512_fmadd_ps(x, b2, sum[r][2]);
            sum[r][3] = _mm512_fmadd_ps(x, b3, sum[r][3]);
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i)
            _mm512_storeu_ps(c + r * ldc + 16 * i, sum[r][i]);
}

// rowsTimesTile over `rows` rows, four at a time.
FT_AVX512 void rowsTimes(float *c, int64_t ldc, const float *a, int64_t aRow, int64_t aStep,
                         const float *b, int64_t ldb, int64_t depth, int64_t rows, bool accumulate)
{
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4)
        rowsTimesTile<4>(c + r * ldc, ldc, a + r * aRow, aRow, aStep, b, ldb, depth, accumulate);
    for (; r < rows; ++r)
        rowsTimesTile<1>(c + r * ldc, ldc, a + r * aRow, aRow, aStep, b, ldb, depth, accumulate);
}

// Keys of the tile from t0 that query row `row` sees (row's own position included).
inline int64_t visibleKeys(int64_t row, int64_t t0) { return std::min(kTile, row + 1 - t0); }

FT_AVX512 void forwardHead(const Heads &hd, const TransposedKeys &tk, int64_t h, int64_t first,
                           int64_t rows, float *out, float *lse)
{
    alignas(64) float scores[kTile * kTile];
    alignas(64) float sums[kTile * D];  // the rows' unnormalised outputs
    float top[kTile], total[kTile];
    std::fill(top, top + rows, -std::numeric_limits<float>::infinity());
    std::fill(total, total + rows, 0.0f);
    std::fill(sums, sums + rows * D, 0.0f);
    const float *q = hd.q + first * hd.qStride + h * D;
    const __m512 scale = _mm512_set1_ps(hd.scale);
    const int64_t end = first + rows;
    for (int64_t t0 = 0; t0 < end; t0 += kTile) {
        const int64_t cols = std::min(kTile, end - t0);
        rowsTimes(scores, kTile, q, hd.qStride, 1, tk.tile(tk.keys, t0), kTile, D, rows, false);
        for (int64_t r = 0; r < rows; ++r) {
            float *s = scores + r * kTile;
            const int64_t visible = visibleKeys(first + r, t0);
            __m512 x[4], most = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
            for (int i = 0; i < 4; ++i) {
                x[i] = _mm512_mul_ps(_mm512_load_ps(s + 16 * i), scale);
                most = _mm512_mask_max_ps(most, firstLanes(visible, i), most, x[i]);
            }
            const float newTop = std::max(top[r], horizontalMax(most));
            const float rescale = std::exp(top[r] - newTop);  // 0 on the first tile
            const __m512 shift = _mm512_set1_ps(newTop);
            __m512 added = _mm512_setzero_ps();
            for (int i = 0; i < 4; ++i) {
                const __m512 p = _mm512_maskz_mov_ps(firstLanes(visible, i), exp16(_mm512_sub_ps(x[i], shift)));
                _mm512_store_ps(s + 16 * i, p);
                added = _mm512_add_ps(added, p);
            }
            total[r] = total[r] * rescale + horizontalSum(added);
            top[r] = newTop;
            if (rescale != 1.0f)
                for (int i = 0; i < 4; ++i)
                    _mm512_store_ps(sums + r * D + 16 * i,
                                    _mm512_mul_ps(_mm512_load_ps(sums + r * D + 16 * i), _mm512_set1_ps(rescale)));
        }
        rowsTimes(sums, D, scores, kTile, 1, hd.v + t0 * hd.vStride, hd.vStride, cols, rows, true);
    }
    for (int64_t r = 0; r < rows; ++r) {
        const __m512 inverse = _mm512_set1_ps(1.0f / total[r]);
        float *o = out + (first + r) * hd.outStride + h * D;
        for (int i = 0; i < 4; ++i)
            _mm512_storeu_ps(o + 16 * i, _mm512_mul_ps(_mm512_load_ps(sums + r * D + 16 * i), inverse));
        lse[(first + r) * hd.lseStride + h] = top[r] + std::log(total[r]);
    }
}

FT_AVX512 float dot64(const float *a, const float *b)
{
    __m512 sum = _mm512_mul_ps(_mm512_loadu_ps(a), _mm512_loadu_ps(b));
    for (int i = 1; i < 4; ++i)
        sum = _mm512_fmadd_ps(_mm512_loadu_ps(a + 16 * i), _mm512_loadu_ps(b + 16 * i), sum);
    return horizontalSum(sum);
}

FT_AVX512 void backwardHead(const Heads &hd, const TransposedKeys &tk, int64_t h, int64_t first,
                            int64_t rows, const float *out, const float *gradOut, const float *lse,
                            float *dq, float *dKeys, float *dValues, int64_t dStride)
{
    alignas(64) float probs[kTile * kTile];
    alignas(64) float dScores[kTile * kTile];
    alignas(64) float dQ[kTile * D];
    float delta[kTile], rowLse[kTile];
    const float *q = hd.q + first * hd.qStride + h * D;
    const float *dO = gradOut + first * hd.outStride + h * D;
    for (int64_t r = 0; r < rows; ++r) {
        // sum_j p_j dp_j of the row = dO . out (the softmax gradient's subtrahend)
        delta[r] = dot64(dO + r * hd.outStride, out + (first + r) * hd.outStride + h * D);
        rowLse[r] = lse[(first + r) * hd.lseStride + h];
    }
    std::fill(dQ, dQ + rows * D, 0.0f);
    const __m512 scale = _mm512_set1_ps(hd.scale);
    const int64_t end = first + rows;
    for (int64_t t0 = 0; t0 < end; t0 += kTile) {
        const int64_t cols = std::min(kTile, end - t0);
        rowsTimes(probs, kTile, q, hd.qStride, 1, tk.tile(tk.keys, t0), kTile, D, rows, false);
        rowsTimes(dScores, kTile, dO, hd.outStride, 1, tk.tile(tk.values, t0), kTile, D, rows, false);
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t visible = visibleKeys(first + r, t0);
            const __m512 shift = _mm512_set1_ps(rowLse[r]), subtract = _mm512_set1_ps(delta[r]);
            float *p = probs + r * kTile, *ds = dScores + r * kTile;
            for (int i = 0; i < 4; ++i) {
                const __m512 pi = _mm512_maskz_mov_ps(firstLanes(visible, i),
                                                      exp16(_mm512_fmsub_ps(_mm512_load_ps(p + 16 * i), scale, shift)));
                _mm512_store_ps(p + 16 * i, pi);
                const __m512 dp = _mm512_sub_ps(_mm512_load_ps(ds + 16 * i), subtract);
                _mm512_store_ps(ds + 16 * i, _mm512_mul_ps(_mm512_mul_ps(pi, dp), scale));
            }
        }
        rowsTimes(dQ, D, dScores, kTile, 1, hd.k + t0 * hd.kStride, hd.kStride, cols, rows, true);
        // The tile's keys and values: rows are keys, the sums over the block's query rows.
        rowsTimes(dValues + t0 * dStride, dStride, probs, 1, kTile, dO, hd.outStride, rows, cols, true);
        rowsTimes(dKeys + t0 * dStride, dStride, dScores, 1, kTile, q, hd.qStride, rows, cols, true);
    }
    for (int64_t r = 0; r < rows; ++r) {
        float *to = dq + (first + r) * hd.outStride + h * D;
        for (int i = 0; i < 4; ++i)
            _mm512_storeu_ps(to + 16 * i, _mm512_load_ps(dQ + r * D + 16 * i));
    }
}

} // namespace

void forwardBlock(const Heads &heads, const TransposedKeys &transposed, int64_t first, int64_t rows,
                  float *out, float *lse)
{
    for (int64_t h = 0; h < heads.heads; ++h)
        forwardHead(heads, transposed, h, first, rows, out, lse);
}

void backwardBlock(const Heads &heads, const TransposedKeys &transposed, int64_t first, int64_t rows,
                   const float *out, const float *gradOut, const float *lse, float *dq,
                   float *dKeys, float *dValues, int64_t dStride)
{
    for (int64_t h = 0; h < heads.heads; ++h)
        backwardHead(heads, transposed, h, first, rows, out, gradOut, lse, dq, dKeys, dValues, dStride);
}

#else

void forwardBlock(const Heads &, const TransposedKeys &, int64_t, int64_t, float *, float *) {}
void backwardBlock(const Heads &, const TransposedKeys &, int64_t, int64_t, const float *,
                   const float *, const float *, float *, float *, float *, int64_t)
{
}

#endif

} // namespace ft::flash
