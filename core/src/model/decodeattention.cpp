#include "model/decodeattention.h"

#include "model/fusedkernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FT_DECODE_ATTENTION_AVX2 1
#endif

namespace ft {
namespace {

// A template, not a runtime flag, so that the single-row step's loops stay free of the test.
template <bool Masked>
void attendHeadScalar(const float *q, const float *keys, const float *values, int64_t S, int64_t D,
                      const bool *masked, float *scores, float *out)
{
    for (int64_t s = 0; s < S; ++s) {
        if constexpr (Masked) {
            if (masked[s]) {
                scores[s] = std::numeric_limits<float>::lowest();
                continue;
            }
        }
        const float *k = keys + s * D;
        float dot = 0.0f;
        for (int64_t d = 0; d < D; ++d)
            dot += q[d] * k[d];
        scores[s] = dot;
    }
    fused::softmaxRow(scores, S, S, 1.0f / std::sqrt(static_cast<float>(D)));
    std::fill(out, out + D, 0.0f);
    for (int64_t s = 0; s < S; ++s) {
        if constexpr (Masked) {
            if (masked[s])
                continue;
        }
        const float p = scores[s], *v = values + s * D;
        for (int64_t d = 0; d < D; ++d)
            out[d] += p * v[d];
    }
}

#ifdef FT_DECODE_ATTENTION_AVX2
#define FT_AVX2_FMA __attribute__((target("avx2,fma")))

FT_AVX2_FMA inline float horizontalSum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// D a multiple of 16 (64 and 128 in the models we run): the scalar loops are a chain of D
// dependent additions per key (a third of a decoding step at 512 cached tokens); here each key's
// dot runs in two 8-lane accumulators, four keys at once, and the weighted sum of the values
// keeps `out` in registers across the keys.
FT_AVX2_FMA void attendHeadAvx2(const float *q, const float *keys, const float *values, int64_t S,
                                int64_t D, const bool *masked, float *scores, float *out)
{
    int64_t s = 0;
    for (; s + 4 <= S; s += 4) {
        const float *k0 = keys + s * D, *k1 = k0 + D, *k2 = k1 + D, *k3 = k2 + D;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int64_t d = 0; d < D; d += 16) {
            const __m256 x0 = _mm256_loadu_ps(q + d), x1 = _mm256_loadu_ps(q + d + 8);
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(k0 + d), x0, a0);
            b0 = _mm256_fmadd_ps(_mm256_loadu_ps(k0 + d + 8), x1, b0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(k1 + d), x0, a1);
            b1 = _mm256_fmadd_ps(_mm256_loadu_ps(k1 + d + 8), x1, b1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(k2 + d), x0, a2);
            b2 = _mm256_fmadd_ps(_mm256_loadu_ps(k2 + d + 8), x1, b2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(k3 + d), x0, a3);
            b3 = _mm256_fmadd_ps(_mm256_loadu_ps(k3 + d + 8), x1, b3);
        }
        scores[s] = horizontalSum(_mm256_add_ps(a0, b0));
        scores[s + 1] = horizontalSum(_mm256_add_ps(a1, b1));
        scores[s + 2] = horizontalSum(_mm256_add_ps(a2, b2));
        scores[s + 3] = horizontalSum(_mm256_add_ps(a3, b3));
    }
    for (; s < S; ++s) {
        const float *k = keys + s * D;
        __m256 a = _mm256_setzero_ps(), b = a;
        for (int64_t d = 0; d < D; d += 16) {
            a = _mm256_fmadd_ps(_mm256_loadu_ps(k + d), _mm256_loadu_ps(q + d), a);
            b = _mm256_fmadd_ps(_mm256_loadu_ps(k + d + 8), _mm256_loadu_ps(q + d + 8), b);
        }
        scores[s] = horizontalSum(_mm256_add_ps(a, b));
    }
    if (masked)
        for (s = 0; s < S; ++s)
            if (masked[s])
                scores[s] = std::numeric_limits<float>::lowest();
    fused::softmaxRow(scores, S, S, 1.0f / std::sqrt(static_cast<float>(D)));
    // out += p * v, sixteen floats of out at a time held in two registers over all keys.
    for (int64_t d = 0; d < D; d += 16) {
        __m256 o0 = _mm256_setzero_ps(), o1 = o0;
        for (s = 0; s < S; ++s) {
            if (masked && masked[s])
                continue;
            const __m256 p = _mm256_set1_ps(scores[s]);
            const float *v = values + s * D + d;
            o0 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v), o0);
            o1 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8), o1);
        }
        _mm256_storeu_ps(out + d, o0);
        _mm256_storeu_ps(out + d + 8, o1);
    }
}

bool hasAvx2()
{
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return avx2;
}
#endif

} // namespace

void attendHead(const float *q, const float *keys, const float *values, int64_t S, int64_t D,
                const bool *masked, float *scores, float *out)
{
#ifdef FT_DECODE_ATTENTION_AVX2
    if (D % 16 == 0 && hasAvx2()) {
        attendHeadAvx2(q, keys, values, S, D, masked, scores, out);
        return;
    }
#endif
    if (masked)
        attendHeadScalar<true>(q, keys, values, S, D, masked, scores, out);
    else
        attendHeadScalar<false>(q, keys, values, S, D, nullptr, scores, out);
}

} // namespace ft
