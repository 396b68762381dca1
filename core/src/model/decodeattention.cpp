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

// out = sum over the unmasked keys of p[s] * values[s] (masked keys have weight exactly zero).
void weightedValuesScalar(const float *p, const float *values, int64_t S, int64_t D,
                          const bool *masked, float *out)
{
    std::fill(out, out + D, 0.0f);
    for (int64_t s = 0; s < S; ++s) {
        if (masked && masked[s])
            continue;
        const float *v = values + s * D;
        for (int64_t d = 0; d < D; ++d)
            out[d] += p[s] * v[d];
    }
}

#ifdef FT_DECODE_ATTENTION_AVX2
// D a multiple of 16 (64 and 128 in the models we run): sixteen floats of `out` stay in
// registers across all keys instead of a load and store per key and float.
__attribute__((target("avx2,fma"))) void weightedValuesAvx2(const float *p, const float *values, int64_t S,
                                                            int64_t D, const bool *masked, float *out)
{
    for (int64_t d = 0; d < D; d += 16) {
        __m256 o0 = _mm256_setzero_ps(), o1 = o0;
        for (int64_t s = 0; s < S; ++s) {
            if (masked && masked[s])
                continue;
            const __m256 weight = _mm256_set1_ps(p[s]);
            const float *v = values + s * D + d;
            o0 = _mm256_fmadd_ps(weight, _mm256_loadu_ps(v), o0);
            o1 = _mm256_fmadd_ps(weight, _mm256_loadu_ps(v + 8), o1);
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

// The scores are a gemv of the keys against q (the projections' kernels: a per-key scalar dot
// was a chain of D dependent additions, a third of a decoding step at 512 cached tokens).
void attendHead(const float *q, const float *keys, const float *values, int64_t S, int64_t D,
                const bool *masked, float *scores, float *out)
{
    floatGemvRows(keys, S, D, q, scores);
    if (masked)
        for (int64_t s = 0; s < S; ++s)
            if (masked[s])
                scores[s] = std::numeric_limits<float>::lowest();
    fused::softmaxRow(scores, S, S, 1.0f / std::sqrt(static_cast<float>(D)));
#ifdef FT_DECODE_ATTENTION_AVX2
    if (D % 16 == 0 && hasAvx2()) {
        weightedValuesAvx2(scores, values, S, D, masked, out);
        return;
    }
#endif
    weightedValuesScalar(scores, values, S, D, masked, out);
}

} // namespace ft
