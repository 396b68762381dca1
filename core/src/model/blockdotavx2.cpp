#include "model/blockdot.h"

#include "io/ggufdequant.h"

// The block dot products with AVX2: 32 int8 products per instruction pair (maddubs + madd), one
// float multiply-add per activation block. Only compiled for x86-64; each function carries its
// own target attribute so the rest of the build stays plain x86-64, and blockRowDotAvx2 hands them
// out only when the CPU reports the features.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include "model/blockdotx86.h"

#include <cpuid.h>

namespace ft {
namespace {

using namespace x86;

// Signed w (-127..127 or smaller) times signed a, as 8 int32 sums of 4 products: maddubs wants
// an unsigned left operand, so |w| meets a with w's sign moved onto it.
FT_AVX2 inline __m256i dotSigned(__m256i w, __m256i a)
{
    const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(a, w));
    return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
}

// Unsigned w (0..63) times signed a, each pair's int16 sum multiplied by `scales` (int16 lanes).
FT_AVX2 inline __m256i dotUnsignedScaled(__m256i w, __m256i a, __m256i scales)
{
    return _mm256_madd_epi16(_mm256_maddubs_epi16(w, a), scales);
}

// The 32 bits of qh as 32 bytes, 0x10 where bit j is set (Q5_0's fifth bits).
FT_AVX2 inline __m256i fifthBits(const uint8_t *p)
{
    uint32_t qh;
    std::memcpy(&qh, p, 4);
    // byte j takes byte j / 8 of qh, then tests bit j % 8
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int>(qh)),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

FT_AVX2 float rowQ8_0(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < a.blocks; ++b, row += 34) {
        const __m256i sumi = dotSigned(load32(row + 2), load32(&a.q[b * kQK]));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half(row) * a.scale[b]), _mm256_cvtepi32_ps(sumi), acc);
    }
    return horizontalSum(acc);
}

FT_AVX2 float rowQ4_0(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i eight = _mm256_set1_epi8(8);
    for (int64_t b = 0; b < a.blocks; ++b, row += 18) {
        const __m256i w = _mm256_sub_epi8(nibbles(row + 2), eight);
        const __m256i sumi = dotSigned(w, load32(&a.q[b * kQK]));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half(row) * a.scale[b]), _mm256_cvtepi32_ps(sumi), acc);
    }
    return horizontalSum(acc);
}

FT_AVX2 float rowQ5_0(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i sixteen = _mm256_set1_epi8(16);
    for (int64_t b = 0; b < a.blocks; ++b, row += 22) {
        const __m256i q = _mm256_or_si256(nibbles(row + 6), fifthBits(row + 2));
        const __m256i sumi = dotSigned(_mm256_sub_epi8(q, sixteen), load32(&a.q[b * kQK]));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half(row) * a.scale[b]), _mm256_cvtepi32_ps(sumi), acc);
    }
    return horizontalSum(acc);
}

FT_AVX2 float rowQ4_1(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    float offsets = 0.0f;
    for (int64_t b = 0; b < a.blocks; ++b, row += 20) {
        const __m256i sumi = dotUnsignedScaled(nibbles(row + 4), load32(&a.q[b * kQK]), ones);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half(row) * a.scale[b]), _mm256_cvtepi32_ps(sumi), acc);
        offsets += half(row + 2) * a.sum[b];
    }
    return horizontalSum(acc) + offsets;
}

FT_AVX2 float rowQ4_K(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i low = _mm256_set1_epi8(0x0F);
    float mins = 0.0f;
    for (int64_t sb = 0; sb < a.blocks / 8; ++sb, row += 144) {
        const uint8_t *s = row + 4;
        uint8_t sc[8], m[8];
        for (int j = 0; j < 4; ++j) {
            sc[j] = s[j] & 63;
            m[j] = s[j + 4] & 63;
            sc[j + 4] = static_cast<uint8_t>((s[j + 8] & 0xF) | ((s[j] >> 6) << 4));
            m[j + 4] = static_cast<uint8_t>((s[j + 8] >> 4) | ((s[j + 4] >> 6) << 4));
        }
        const float d = half(row), dmin = half(row + 2);
        float blockMins = 0.0f;
        for (int c = 0; c < 4; ++c) {
            const __m256i q = load32(row + 16 + 32 * c);
            const int64_t b = sb * 8 + 2 * c;
            const __m256i lo = dotUnsignedScaled(_mm256_and_si256(q, low), load32(&a.q[b * kQK]),
                                                 _mm256_set1_epi16(sc[2 * c]));
            const __m256i hi = dotUnsignedScaled(_mm256_and_si256(_mm256_srli_epi16(q, 4), low),
                                                 load32(&a.q[(b + 1) * kQK]),
                                                 _mm256_set1_epi16(sc[2 * c + 1]));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * a.scale[b]), _mm256_cvtepi32_ps(lo), acc);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * a.scale[b + 1]), _mm256_cvtepi32_ps(hi), acc);
            blockMins += float(m[2 * c]) * a.sum[b] + float(m[2 * c + 1]) * a.sum[b + 1];
        }
        mins += dmin * blockMins;
    }
    return horizontalSum(acc) - mins;
}

FT_AVX2 float rowQ6_K(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i low = _mm256_set1_epi8(0x0F), two = _mm256_set1_epi8(3);
    const __m256i thirtyTwo = _mm256_set1_epi8(32);
    for (int64_t sb = 0; sb < a.blocks / 8; ++sb, row += 210) {
        const auto *sc = reinterpret_cast<const int8_t *>(row + 192);
        const float d = half(row + 208);
        for (int h = 0; h < 2; ++h) {
            const __m256i ql0 = load32(row + 64 * h), ql1 = load32(row + 64 * h + 32);
            const __m256i qh = load32(row + 128 + 32 * h);
            const __m256i lows[4] = {_mm256_and_si256(ql0, low), _mm256_and_si256(ql1, low),
                                     _mm256_and_si256(_mm256_srli_epi16(ql0, 4), low),
                                     _mm256_and_si256(_mm256_srli_epi16(ql1, 4), low)};
            for (int k = 0; k < 4; ++k) {
                const __m256i top = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), two);
                const __m256i q = _mm256_sub_epi8(
                    _mm256_or_si256(lows[k], _mm256_slli_epi16(top, 4)), thirtyTwo);
                const int j = 4 * h + k;
                const int64_t b = sb * 8 + j;
                const __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * j + 1]),
                                                        _mm_set1_epi16(sc[2 * j]));
                const __m256i w = load32(&a.q[b * kQK]);
                const __m256i products =
                    _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(w, q));
                const __m256i sumi = _mm256_madd_epi16(products, scales);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(d * a.scale[b]), _mm256_cvtepi32_ps(sumi), acc);
            }
        }
    }
    return horizontalSum(acc);
}

// quantizeActivation for one block of 32, the same operations as the scalar code (so the same
// result): scale = max|x| / 127, q = round-half-even(x / scale), sum = scale * sum(q).
FT_AVX2 void quantizeBlock(const float *x, int8_t *q, float &scale, float &sum)
{
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    __m256 v[4];
    __m256 amax = _mm256_setzero_ps();
    for (int i = 0; i < 4; ++i) {
        v[i] = _mm256_loadu_ps(x + 8 * i);
        amax = _mm256_max_ps(amax, _mm256_andnot_ps(signBit, v[i]));
    }
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    const float d = _mm_cvtss_f32(m) / 127.0f;
    const __m256 id = _mm256_set1_ps(d > 0.0f ? 1.0f / d : 0.0f);
    __m256i ints[4];
    for (int i = 0; i < 4; ++i)
        ints[i] = _mm256_cvtps_epi32(
            _mm256_round_ps(_mm256_mul_ps(v[i], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256i total = _mm256_add_epi32(_mm256_add_epi32(ints[0], ints[1]),
                                           _mm256_add_epi32(ints[2], ints[3]));
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4E));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1));
    // packs interleave the 128-bit lanes; the permutation puts the 4-byte groups back in order
    const __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(ints[0], ints[1]),
                                             _mm256_packs_epi32(ints[2], ints[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(q),
                        _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    scale = d;
    sum = d * float(_mm_cvtsi128_si32(t));
}

} // namespace

bool x86::hasAvx2()
{
    // F16C through cpuid: clang 14's __builtin_cpu_supports does not know "f16c".
    static const bool supported = [] {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C);
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
    }();
    return supported;
}

bool quantizeActivationAvx2(const float *x, int64_t n, QuantizedActivation &out)
{
    if (!x86::hasAvx2())
        return false;
    out.blocks = n / kQK;
    out.scale.resize(static_cast<size_t>(out.blocks));
    out.sum.resize(static_cast<size_t>(out.blocks));
    out.q.resize(static_cast<size_t>(n));
    for (int64_t b = 0; b < out.blocks; ++b)
        quantizeBlock(x + b * kQK, &out.q[b * kQK], out.scale[b], out.sum[b]);
    return true;
}

BlockRowDot blockRowDotAvx2(uint32_t t)
{
    if (!x86::hasAvx2())
        return nullptr;
    switch (t) {
    case ggml::Q8_0: return rowQ8_0;
    case ggml::Q4_0: return rowQ4_0;
    case ggml::Q4_1: return rowQ4_1;
    case ggml::Q5_0: return rowQ5_0;
    case ggml::Q4_K: return rowQ4_K;
    case ggml::Q6_K: return rowQ6_K;
    default: return nullptr;
    }
}

} // namespace ft

#else

namespace ft {
bool quantizeActivationAvx2(const float *, int64_t, QuantizedActivation &)
{
    return false;
}
BlockRowDot blockRowDotAvx2(uint32_t)
{
    return nullptr;
}
} // namespace ft

#endif
