#include "model/frozendequant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ft::frozen {
namespace {

// IEEE half -> float for the block scales (normal, subnormal and zero; blocks hold no inf/NaN).
float halfToFloat(uint16_t h)
{
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0)
            bits = sign;
        else {
            const float value = std::ldexp(float(mantissa), -24);
            std::memcpy(&bits, &value, 4);
            bits |= sign;
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

float blockScale(const uint8_t *block)
{
    uint16_t h;
    std::memcpy(&h, block, 2);
    return halfToFloat(h);
}

} // namespace

const float kNf4Codes[16] = {
    -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
    -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
    0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
    0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f};

void dequantizeQ8_0Row(const uint8_t *blocks, int64_t cols, float *out)
{
    for (int64_t b = 0; b < cols / 32; ++b) {
        const uint8_t *block = blocks + b * 34;  // fp16 scale, 32 x int8
        const float d = blockScale(block);
        const int8_t *q = reinterpret_cast<const int8_t *>(block + 2);
        float *y = out + b * 32;
        for (int j = 0; j < 32; ++j)
            y[j] = float(q[j]) * d;
    }
}

void dequantizeQ4_0Row(const uint8_t *blocks, int64_t cols, float *out)
{
    for (int64_t b = 0; b < cols / 32; ++b) {
        const uint8_t *block = blocks + b * 18;  // fp16 scale, 16 bytes of two nibbles
        const float d = blockScale(block);
        const uint8_t *q = block + 2;
        float *y = out + b * 32;
        for (int j = 0; j < 16; ++j) {
            y[j] = float(int(q[j] & 0x0f) - 8) * d;
            y[j + 16] = float(int(q[j] >> 4) - 8) * d;
        }
    }
}

void dequantizeNf4Range(const uint8_t *packed, const float *absmax, int64_t first, int64_t count,
                        float *out)
{
    const int64_t last = first + count;
    for (int64_t b = first / 64; b * 64 < last; ++b) {
        // The code book scaled once per block: code[i] * absmax, the same product bitsandbytes
        // computes per element.
        float scaled[16];
        for (int i = 0; i < 16; ++i)
            scaled[i] = kNf4Codes[i] * absmax[b];
        const int64_t lo = std::max(first, b * 64), hi = std::min(last, b * 64 + 64);
        float *y = out + (lo - first);
        if (lo == b * 64 && hi == lo + 64) {  // a whole block: 32 bytes
            const uint8_t *q = packed + lo / 2;
            for (int j = 0; j < 32; ++j) {
                y[2 * j] = scaled[q[j] >> 4];
                y[2 * j + 1] = scaled[q[j] & 0x0f];
            }
            continue;
        }
        for (int64_t i = lo; i < hi; ++i)
            y[i - lo] = scaled[(packed[i / 2] >> ((i & 1) ? 0 : 4)) & 0x0f];
    }
}

void dequantizeBf16Row(const uint16_t *bits, int64_t cols, float *out)
{
    uint32_t *y = reinterpret_cast<uint32_t *>(out);
    for (int64_t i = 0; i < cols; ++i)
        y[i] = uint32_t(bits[i]) << 16;
}

void quantizeNf4Row(const float *x, int64_t cols, uint8_t *packed, float *absmax)
{
    float midpoints[15];
    for (int i = 0; i < 15; ++i)
        midpoints[i] = (kNf4Codes[i] + kNf4Codes[i + 1]) / 2.0f;
    for (int64_t b = 0; b < cols / 64; ++b) {
        const float *v = x + b * 64;
        float m = 0.0f;
        for (int j = 0; j < 64; ++j)
            m = std::max(m, std::fabs(v[j]));
        absmax[b] = m;
        const float inverse = 1.0f / std::max(m, 1e-38f);
        uint8_t codes[64];
        for (int j = 0; j < 64; ++j) {
            const float s = std::clamp(v[j] * inverse, -1.0f, 1.0f);
            int code = 0;
            while (code < 15 && midpoints[code] < s)
                ++code;
            codes[j] = uint8_t(code);
        }
        for (int j = 0; j < 32; ++j)
            packed[b * 32 + j] = uint8_t(codes[2 * j] << 4 | codes[2 * j + 1]);
    }
}

} // namespace ft::frozen
