#include "model/decodeattention.h"

#include "model/floatgemv.h"
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

// D a multiple of 16 (64 and 128 in the models we run): the scalar loops are a chain of D
// dependent additions per key (a third of a decoding step at 512 cached tokens). Here the
// scores are a gemv of the keys against q (the projections' kernels), and the weighted sum of
// the values keeps sixteen floats of `out` in registers across all keys.
FT_AVX2_FMA void attendHeadAvx2(const float *q, const float *keys, const float *values, int64_t S,
                                int64_t D, const bool *masked, float *scores, float *out)
{
    floatGemvRows(keys, S, D, q, scores);
    if (masked)
        for (int64_t s = 0; s < S; ++s)
            if (masked[s])
                scores[s] = std::numeric_limits<float>::lowest();
    fused::softmaxRow(scores, S, S, 1.0f / std::sqrt(static_cast<float>(D)));
    for (int64_t d = 0; d < D; d += 16) {
        __m256 o0 = _mm256_setzero_ps(), o1 = o0;
        for (int64_t s = 0; s < S; ++s) {
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
