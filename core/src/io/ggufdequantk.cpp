#include "io/ggufdequantk.h"

#include "io/ggufdequant.h"

#include <cstring>

// Each formula follows ggml/src/ggml-quants.c dequantize_row_<type>; the products are taken in
// the same order and precision (float32) as there and in gguf-py's numpy code, so the results are
// identical bit for bit (this file is built with -ffp-contract=off: no fused multiply-adds).
namespace ft {

namespace {

constexpr int kQK = 32;   // QK5_0, QK5_1, QK4_NL
constexpr int kQKK = 256; // QK_K

// IQ4_NL's non-linear 4-bit grid (ggml-common.h kvalues_iq4nl).
constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                     1,    13,   25,  38,  53,  69,  89,  113};

float loadHalf(const uint8_t *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return halfToFloat(v);
}

// Q4_K / Q5_K: the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes
// (ggml-quants.c get_scale_min_k4).
void scaleMinK4(int j, const uint8_t *q, uint8_t &sc, uint8_t &m)
{
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// block_q5_0: d (fp16), qh[4] (the 5th bits, u32 LE), qs[16]; y = (q - 16) * d
void q5_0(const uint8_t *b, float *y)
{
    const float d = loadHalf(b);
    uint32_t qh;
    std::memcpy(&qh, b + 2, 4);
    const uint8_t *qs = b + 6;
    for (int j = 0; j < kQK / 2; ++j) {
        const int x0 = ((qs[j] & 0x0F) | (((qh >> j) & 1) << 4)) - 16;
        const int x1 = ((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
        y[j] = static_cast<float>(x0) * d;
        y[j + kQK / 2] = static_cast<float>(x1) * d;
    }
}

// block_q5_1: d, m (fp16), qh[4], qs[16]; y = q * d + m
void q5_1(const uint8_t *b, float *y)
{
    const float d = loadHalf(b);
    const float m = loadHalf(b + 2);
    uint32_t qh;
    std::memcpy(&qh, b + 4, 4);
    const uint8_t *qs = b + 8;
    for (int j = 0; j < kQK / 2; ++j) {
        const int x0 = (qs[j] & 0x0F) | (((qh >> j) & 1) << 4);
        const int x1 = (qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
        y[j] = static_cast<float>(x0) * d + m;
        y[j + kQK / 2] = static_cast<float>(x1) * d + m;
    }
}

// block_q2_K: scales[16] (4-bit scale | 4-bit min), qs[64] (2 bits), d, dmin (fp16)
void q2_K(const uint8_t *b, float *y)
{
    const uint8_t *scales = b;
    const uint8_t *q = b + 16;
    const float d = loadHalf(b + 80);
    const float dmin = loadHalf(b + 82);
    int is = 0;
    for (int n = 0; n < kQKK; n += 128) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int half = 0; half < 2; ++half) {
                const uint8_t sc = scales[is++];
                const float dl = d * static_cast<float>(sc & 0xF);
                const float ml = dmin * static_cast<float>(sc >> 4);
                for (int l = 0; l < 16; ++l)
                    *y++ = dl * static_cast<float>((q[l + 16 * half] >> shift) & 3) - ml;
            }
        }
        q += 32;
    }
}

// block_q3_K: hmask[32] (3rd bits), qs[64] (low 2 bits), scales[12] (16 x 6 bits), d (fp16)
void q3_K(const uint8_t *b, float *y)
{
    const uint8_t *hm = b;
    const uint8_t *q = b + 32;
    const uint8_t *packed = b + 96;
    const float d = loadHalf(b + 108);
    int8_t scales[16];
    for (int i = 0; i < 16; ++i) {
        const int low = i < 8 ? (packed[i] & 0xF) : (packed[i - 8] >> 4);
        const int high = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
        scales[i] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
    int is = 0;
    uint8_t m = 1;
    for (int n = 0; n < kQKK; n += 128) {
        for (int shift = 0; shift < 8; shift += 2) {
            for (int half = 0; half < 2; ++half) {
                const float dl = d * static_cast<float>(scales[is++]);
                for (int l = 16 * half; l < 16 * half + 16; ++l) {
                    const int v = ((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4);
                    *y++ = dl * static_cast<float>(v);
                }
            }
            m = static_cast<uint8_t>(m << 1);
        }
        q += 32;
    }
}

// block_q4_K: d, dmin (fp16), scales[12] (8 x 6-bit scale + 6-bit min), qs[128]
// block_q5_K: the same plus qh[32] (5th bits) before qs
void q45_K(const uint8_t *b, float *y, bool fiveBit)
{
    const float d = loadHalf(b);
    const float dmin = loadHalf(b + 2);
    const uint8_t *scales = b + 4;
    const uint8_t *qh = b + 16;
    const uint8_t *ql = b + (fiveBit ? 48 : 16);
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0, is = 0; j < kQKK; j += 64, is += 2) {
        uint8_t sc, m;
        scaleMinK4(is, scales, sc, m);
        const float d1 = d * static_cast<float>(sc);
        const float m1 = dmin * static_cast<float>(m);
        scaleMinK4(is + 1, scales, sc, m);
        const float d2 = d * static_cast<float>(sc);
        const float m2 = dmin * static_cast<float>(m);
        for (int l = 0; l < 32; ++l) {
            const int hi = fiveBit && (qh[l] & u1) ? 16 : 0;
            *y++ = d1 * static_cast<float>((ql[l] & 0xF) + hi) - m1;
        }
        for (int l = 0; l < 32; ++l) {
            const int hi = fiveBit && (qh[l] & u2) ? 16 : 0;
            *y++ = d2 * static_cast<float>((ql[l] >> 4) + hi) - m2;
        }
        ql += 32;
        u1 = static_cast<uint8_t>(u1 << 2);
        u2 = static_cast<uint8_t>(u2 << 2);
    }
}

// block_q6_K: ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] (int8), d (fp16)
void q6_K(const uint8_t *b, float *y)
{
    const uint8_t *ql = b;
    const uint8_t *qh = b + 128;
    const int8_t *sc = reinterpret_cast<const int8_t *>(b + 192);
    const float d = loadHalf(b + 208);
    for (int n = 0; n < kQKK; n += 128) {
        for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
            const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            y[l] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
            y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
            y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
            y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
        }
        y += 128;
        ql += 64;
        qh += 32;
        sc += 8;
    }
}

// block_q8_K: d (float32), qs[256] (int8), bsums[16] (int16, unused here); y = d * q
void q8_K(const uint8_t *b, float *y)
{
    float d;
    std::memcpy(&d, b, 4);
    const int8_t *qs = reinterpret_cast<const int8_t *>(b + 4);
    for (int j = 0; j < kQKK; ++j)
        y[j] = d * static_cast<float>(qs[j]);
}

// block_iq4_nl: d (fp16), qs[16]; y = d * grid[q]
void iq4_nl(const uint8_t *b, float *y)
{
    const float d = loadHalf(b);
    const uint8_t *qs = b + 2;
    for (int j = 0; j < kQK / 2; ++j) {
        y[j] = d * static_cast<float>(kIq4nlValues[qs[j] & 0xF]);
        y[j + kQK / 2] = d * static_cast<float>(kIq4nlValues[qs[j] >> 4]);
    }
}

// block_iq4_xs: d (fp16), scales_h (u16: 2 high bits per sub-block), scales_l[4] (4 low bits
// per sub-block), qs[128]; 8 sub-blocks of 32 with y = d * (scale - 32) * grid[q]
void iq4_xs(const uint8_t *b, float *y)
{
    const float d = loadHalf(b);
    uint16_t scalesH;
    std::memcpy(&scalesH, b + 2, 2);
    const uint8_t *scalesL = b + 4;
    const uint8_t *qs = b + 8;
    for (int ib = 0; ib < kQKK / 32; ++ib) {
        const int ls =
            ((scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((scalesH >> (2 * ib)) & 3) << 4);
        const float dl = d * static_cast<float>(ls - 32);
        for (int j = 0; j < 16; ++j) {
            y[j] = dl * static_cast<float>(kIq4nlValues[qs[j] & 0xF]);
            y[j + 16] = dl * static_cast<float>(kIq4nlValues[qs[j] >> 4]);
        }
        y += 32;
        qs += 16;
    }
}

} // namespace

bool isExtendedDequantType(uint32_t type)
{
    switch (type) {
    case ggml::Q5_0:
    case ggml::Q5_1:
    case ggml::Q2_K:
    case ggml::Q3_K:
    case ggml::Q4_K:
    case ggml::Q5_K:
    case ggml::Q6_K:
    case ggml::Q8_K:
    case ggml::IQ4_NL:
    case ggml::IQ4_XS:
        return true;
    default:
        return false;
    }
}

bool dequantizeRowExtended(uint32_t type, const uint8_t *src, int64_t count, float *dst)
{
    if (!isExtendedDequantType(type))
        return false;
    const GgmlTypeTraits traits = *ggmlTypeTraits(type);
    const int64_t blocks = count / traits.blockSize;
    for (int64_t i = 0; i < blocks; ++i) {
        const uint8_t *b = src + i * traits.bytesPerBlock;
        float *y = dst + i * traits.blockSize;
        switch (type) {
        case ggml::Q5_0:
            q5_0(b, y);
            break;
        case ggml::Q5_1:
            q5_1(b, y);
            break;
        case ggml::Q2_K:
            q2_K(b, y);
            break;
        case ggml::Q3_K:
            q3_K(b, y);
            break;
        case ggml::Q4_K:
            q45_K(b, y, false);
            break;
        case ggml::Q5_K:
            q45_K(b, y, true);
            break;
        case ggml::Q6_K:
            q6_K(b, y);
            break;
        case ggml::Q8_K:
            q8_K(b, y);
            break;
        case ggml::IQ4_NL:
            iq4_nl(b, y);
            break;
        case ggml::IQ4_XS:
            iq4_xs(b, y);
            break;
        }
    }
    return true;
}

} // namespace ft
