// Helpers shared by the x86 block dot kernels (blockdotavx2.cpp, blockdotvnni.cpp): each carries
// the AVX2 target attribute, so it inlines into any kernel compiled for AVX2 or more.
#pragma once

#include "model/blockdot.h"

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#define FT_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace ft {
namespace x86 {

constexpr int kQK = kActivationBlock;

FT_AVX2 inline float half(const uint8_t *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return _cvtsh_ss(v);
}

FT_AVX2 inline __m256i load32(const void *p)
{
    return _mm256_loadu_si256(static_cast<const __m256i *>(p));
}

FT_AVX2 inline float horizontalSum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// 16 packed bytes -> 32 bytes: the low nibbles (elements 0..15), then the high ones (16..31).
FT_AVX2 inline __m256i nibbles(const uint8_t *qs)
{
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs));
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// True when the CPU runs AVX2, FMA and F16C.
bool hasAvx2();

} // namespace x86
} // namespace ft
