#include "model/blockdot.h"

#include "io/ggufdequant.h"

// The block dot products with AVX-512 VNNI on 256-bit vectors (AVX512VL): vpdpbusd multiplies 32
// unsigned by 32 signed bytes and sums each four into int32 in one instruction, where AVX2 needs
// maddubs + madd; AVX512BW's byte masks expand Q5_0's fifth bits in one more. Same arithmetic
// (exact integer sums per block, one float multiply-add per block) as blockdotavx2.cpp.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include "model/blockdotx86.h"

#define FT_VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni")))

namespace ft {
namespace {

using namespace x86;

// Signed w (|w| <= 127) times signed a: |w| (unsigned) meets a with w's sign moved onto it.
FT_VNNI inline __m256i dotSigned(__m256i w, __m256i a)
{
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(w), _mm256_sign_epi8(a, w));
}

FT_VNNI inline __m256 scaledAdd(__m256 acc, float scale, __m256i sumi)
{
    return _mm256_fmadd_ps(_mm256_set1_ps(scale), _mm256_cvtepi32_ps(sumi), acc);
}

FT_VNNI float rowQ8_0(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < a.blocks; ++b, row += 34)
        acc = scaledAdd(acc, half(row) * a.scale[b], dotSigned(load32(row + 2), load32(&a.q[b * kQK])));
    return horizontalSum(acc);
}

FT_VNNI float rowQ4_0(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i eight = _mm256_set1_epi8(8);
    for (int64_t b = 0; b < a.blocks; ++b, row += 18) {
        const __m256i w = _mm256_sub_epi8(nibbles(row + 2), eight);
        acc = scaledAdd(acc, half(row) * a.scale[b], dotSigned(w, load32(&a.q[b * kQK])));
    }
    return horizontalSum(acc);
}

FT_VNNI float rowQ5_0(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i sixteen = _mm256_set1_epi8(16);
    for (int64_t b = 0; b < a.blocks; ++b, row += 22) {
        uint32_t qh;
        std::memcpy(&qh, row + 2, 4);
        // q - 16 = the nibble where the fifth bit is set, nibble - 16 where it is not
        const __m256i n = nibbles(row + 6);
        const __m256i w = _mm256_mask_sub_epi8(n, _cvtu32_mask32(~qh), n, sixteen);
        acc = scaledAdd(acc, half(row) * a.scale[b], dotSigned(w, load32(&a.q[b * kQK])));
    }
    return horizontalSum(acc);
}

FT_VNNI float rowQ4_1(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    float offsets = 0.0f;
    for (int64_t b = 0; b < a.blocks; ++b, row += 20) {
        const __m256i sumi =
            _mm256_dpbusd_epi32(_mm256_setzero_si256(), nibbles(row + 4), load32(&a.q[b * kQK]));
        acc = scaledAdd(acc, half(row) * a.scale[b], sumi);
        offsets += half(row + 2) * a.sum[b];
    }
    return horizontalSum(acc) + offsets;
}

FT_VNNI float rowQ4_K(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i low = _mm256_set1_epi8(0x0F);
    float mins = 0.0f;
    for (int64_t sb = 0; sb < a.blocks / 8; ++sb, row += 144) {
        const uint8_t *s = row + 4;
        int sc[8], m[8];
        for (int j = 0; j < 4; ++j) {
            sc[j] = s[j] & 63;
            m[j] = s[j + 4] & 63;
            sc[j + 4] = (s[j + 8] & 0xF) | ((s[j] >> 6) << 4);
            m[j + 4] = (s[j + 8] >> 4) | ((s[j + 4] >> 6) << 4);
        }
        const float d = half(row), dmin = half(row + 2);
        float blockMins = 0.0f;
        for (int c = 0; c < 4; ++c) {
            const __m256i q = load32(row + 16 + 32 * c);
            const int64_t b = sb * 8 + 2 * c;
            const __m256i lo = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_and_si256(q, low),
                                                   load32(&a.q[b * kQK]));
            const __m256i hi = _mm256_dpbusd_epi32(
                _mm256_setzero_si256(), _mm256_and_si256(_mm256_srli_epi16(q, 4), low),
                load32(&a.q[(b + 1) * kQK]));
            acc = scaledAdd(acc, d * a.scale[b] * float(sc[2 * c]), lo);
            acc = scaledAdd(acc, d * a.scale[b + 1] * float(sc[2 * c + 1]), hi);
            blockMins += float(m[2 * c]) * a.sum[b] + float(m[2 * c + 1]) * a.sum[b + 1];
        }
        mins += dmin * blockMins;
    }
    return horizontalSum(acc) - mins;
}

FT_VNNI float rowQ6_K(const uint8_t *row, const QuantizedActivation &a)
{
    __m256 acc = _mm256_setzero_ps();
    const __m256i low = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
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
                const __m256i top = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), three);
                const __m256i q = _mm256_sub_epi8(
                    _mm256_or_si256(lows[k], _mm256_slli_epi16(top, 4)), thirtyTwo);
                const int j = 4 * h + k;
                const int64_t b = sb * 8 + j;
                // int32 lanes 0-3 hold elements 0..15 (scale 2j), lanes 4-7 16..31 (2j + 1)
                const __m256i scales = _mm256_set_m128i(_mm_set1_epi32(sc[2 * j + 1]),
                                                        _mm_set1_epi32(sc[2 * j]));
                const __m256i sumi =
                    _mm256_mullo_epi32(dotSigned(q, load32(&a.q[b * kQK])), scales);
                acc = scaledAdd(acc, d * a.scale[b], sumi);
            }
        }
    }
    return horizontalSum(acc);
}

} // namespace

BlockRowDot blockRowDotVnni(uint32_t t)
{
    static const bool supported = hasAvx2() && __builtin_cpu_supports("avx512f") &&
                                  __builtin_cpu_supports("avx512vl") &&
                                  __builtin_cpu_supports("avx512bw") &&
                                  __builtin_cpu_supports("avx512vnni");
    if (!supported)
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
BlockRowDot blockRowDotVnni(uint32_t)
{
    return nullptr;
}
} // namespace ft

#endif
