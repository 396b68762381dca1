#include "export/ggufquantize.h"

#include "export/ggufquantizek.h"
#include "io/ggufdequant.h"

#include <cmath>
#include <cstring>

// Built with -ffp-contract=off (core/CMakeLists.txt): every product and sum is rounded to float32
// on its own, as numpy does.
namespace ft {

namespace {

constexpr int kQK = 32;

uint32_t floatBits(float f)
{
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

void putHalf(std::vector<uint8_t> &out, float f)
{
    const uint16_t h = floatToHalf(f);
    out.push_back(static_cast<uint8_t>(h & 0xFF));
    out.push_back(static_cast<uint8_t>(h >> 8));
}

// np.where(d == 0, 0, 1 / d)
float inverseOrZero(float d)
{
    return d == 0.0f ? 0.0f : 1.0f / d;
}

// gguf-py np_roundf: round half away from zero, in float32.
float roundAway(float v)
{
    const float a = std::fabs(v);
    const float floored = std::floor(a);
    const float b = floored + std::floor(2.0f * (a - floored));
    return v < 0 ? -b : (v > 0 ? b : 0.0f * v);
}

// numpy float32 -> uint8 cast of an in-range value, then .clip(0, hi)
uint8_t truncClip(float v, int hi)
{
    int q = static_cast<int>(std::trunc(v));
    return static_cast<uint8_t>(q < 0 ? 0 : (q > hi ? hi : q));
}

// Q8_0: d = max|x| / 127, q = roundf(x / d)
void q8_0(const float *x, std::vector<uint8_t> &out)
{
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j)
        amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = inverseOrZero(d);
    putHalf(out, d);
    for (int j = 0; j < kQK; ++j)
        out.push_back(static_cast<uint8_t>(static_cast<int8_t>(roundAway(x[j] * id))));
}

// Q4_0: d = (the value of largest magnitude, sign kept) / -8, q = trunc(x / d + 8.5) in 0..15
void q4_0(const float *x, std::vector<uint8_t> &out)
{
    float amax = std::fabs(x[0]), max = x[0];
    for (int j = 1; j < kQK; ++j)
        if (std::fabs(x[j]) > amax) { // first index of the largest |x| (np.argmax)
            amax = std::fabs(x[j]);
            max = x[j];
        }
    const float d = max / -8.0f;
    const float id = inverseOrZero(d);
    putHalf(out, d);
    uint8_t q[kQK];
    for (int j = 0; j < kQK; ++j)
        q[j] = truncClip(x[j] * id + 8.5f, 15);
    for (int j = 0; j < kQK / 2; ++j)
        out.push_back(static_cast<uint8_t>(q[j] | (q[j + kQK / 2] << 4)));
}

// Q4_1: d = (max - min) / 15, m = min, q = trunc((x - min) / d + 0.5) in 0..15
void q4_1(const float *x, std::vector<uint8_t> &out)
{
    float max = x[0], min = x[0];
    for (int j = 1; j < kQK; ++j) { // a tie (+0 / -0) keeps the first, as numpy's reduction
        if (x[j] > max)
            max = x[j];
        if (x[j] < min)
            min = x[j];
    }
    const float d = (max - min) / 15.0f;
    const float id = inverseOrZero(d);
    putHalf(out, d);
    putHalf(out, min);
    uint8_t q[kQK];
    for (int j = 0; j < kQK; ++j)
        q[j] = truncClip((x[j] - min) * id + 0.5f, 15);
    for (int j = 0; j < kQK / 2; ++j)
        out.push_back(static_cast<uint8_t>(q[j] | (q[j + kQK / 2] << 4)));
}

} // namespace

// IEEE 754 binary32 -> binary16, round to nearest even (numpy's astype(np.float16)).
uint16_t floatToHalf(float f)
{
    uint32_t x = floatBits(f);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
    x &= 0x7FFFFFFF;
    if (x >= 0x7F800000) { // inf; NaN keeps its top payload bits (never 0: that is inf)
        if (x == 0x7F800000)
            return sign | 0x7C00;
        const uint16_t nan = static_cast<uint16_t>(0x7C00 + ((x & 0x7FFFFF) >> 13));
        return sign | (nan == 0x7C00 ? 0x7C01 : nan);
    }
    if (x >= 0x477FF000) // >= 65520 rounds to inf
        return sign | 0x7C00;
    if (x < 0x38800000) {    // below the smallest normal half (2^-14)
        if (x <= 0x33000000) // <= 2^-25: rounds to zero (2^-25 itself: to even, zero)
            return sign;
        const uint32_t e = x >> 23;
        const uint32_t m = (x & 0x7FFFFF) | 0x800000;
        const uint32_t shift = 126 - e; // 14..24
        uint32_t r = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (r & 1)))
            ++r;
        return static_cast<uint16_t>(sign | r);
    }
    const uint32_t rebased = x - 0x38000000; // exponent bias 127 -> 15
    uint32_t h = rebased >> 13;
    const uint32_t rem = rebased & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        ++h; // a carry into the exponent is the correct next value (up to inf)
    return static_cast<uint16_t>(sign | h);
}

// ggml_compute_fp32_to_bf16: NaN forced quiet, otherwise round to nearest even.
uint16_t floatToBf16(float f)
{
    uint32_t n = floatBits(f);
    if ((n & 0x7FFFFFFF) > 0x7F800000)
        n = (n & 0xFFFF0000) | (64u << 16);
    return static_cast<uint16_t>((static_cast<uint64_t>(n) + (0x7FFF + ((n >> 16) & 1))) >> 16);
}

bool isQuantizeSupported(uint32_t t)
{
    return t == ggml::F32 || t == ggml::F16 || t == ggml::BF16 || t == ggml::Q8_0 ||
           t == ggml::Q4_0 || t == ggml::Q4_1 || t == ggml::Q5_0 || t == ggml::Q4_K ||
           t == ggml::Q6_K;
}

void quantizeRows(uint32_t type, const float *x, int64_t count, std::vector<uint8_t> &out)
{
    const auto traits = *ggmlTypeTraits(type);
    out.reserve(out.size() + static_cast<size_t>(count / traits.blockSize * traits.bytesPerBlock));
    switch (type) {
    case ggml::F32: {
        const auto *bytes = reinterpret_cast<const uint8_t *>(x);
        out.insert(out.end(), bytes, bytes + count * 4);
        return;
    }
    case ggml::F16:
        for (int64_t i = 0; i < count; ++i)
            putHalf(out, x[i]);
        return;
    case ggml::BF16:
        for (int64_t i = 0; i < count; ++i) {
            const uint16_t b = floatToBf16(x[i]);
            out.push_back(static_cast<uint8_t>(b & 0xFF));
            out.push_back(static_cast<uint8_t>(b >> 8));
        }
        return;
    case ggml::Q8_0:
        for (int64_t b = 0; b < count / kQK; ++b)
            q8_0(x + b * kQK, out);
        return;
    case ggml::Q4_0:
        for (int64_t b = 0; b < count / kQK; ++b)
            q4_0(x + b * kQK, out);
        return;
    case ggml::Q4_1:
        for (int64_t b = 0; b < count / kQK; ++b)
            q4_1(x + b * kQK, out);
        return;
    case ggml::Q5_0:
        quantizeQ5_0(x, count, out);
        return;
    case ggml::Q4_K:
        quantizeQ4K(x, count, out);
        return;
    case ggml::Q6_K:
        quantizeQ6K(x, count, out);
        return;
    default:
        return; // callers check isQuantizeSupported
    }
}

} // namespace ft
