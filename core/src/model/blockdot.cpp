#include "model/blockdot.h"

#include "io/ggufdequant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// The scalar kernels: integer sums per block, as the AVX2 ones (blockdotavx2.cpp) compute them,
// so both give the same result up to the order of the float additions.
namespace ft {
namespace {

constexpr int kQK = kActivationBlock;

float half(const uint8_t *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return halfToFloat(v);
}

int dotI8(const int8_t *w, const int8_t *a)
{
    int sum = 0;
    for (int j = 0; j < kQK; ++j)
        sum += int(w[j]) * int(a[j]);
    return sum;
}

// block_q8_0: d (fp16), qs[32]
float rowQ8_0(const uint8_t *row, const QuantizedActivation &a)
{
    float acc = 0.0f;
    for (int64_t b = 0; b < a.blocks; ++b, row += 34) {
        const int sumi = dotI8(reinterpret_cast<const int8_t *>(row + 2), &a.q[b * kQK]);
        acc += half(row) * a.scale[b] * float(sumi);
    }
    return acc;
}

// block_q4_0: d, qs[16]; element j is the low nibble of qs[j], element j + 16 the high one,
// value (nibble - 8) * d. block_q5_0 adds qh (u32): bit j is element j's fifth bit, value
// (q - 16) * d. block_q4_1: d, m, qs[16]; value nibble * d + m.
template <int Bits, bool Offset>
float rowNibbles(const uint8_t *row, const QuantizedActivation &a)
{
    constexpr int headerBytes = Offset ? 4 : (Bits == 5 ? 6 : 2);
    constexpr int blockBytes = headerBytes + 16;
    constexpr int zero = Offset ? 0 : (Bits == 5 ? 16 : 8);
    float acc = 0.0f;
    for (int64_t b = 0; b < a.blocks; ++b, row += blockBytes) {
        uint32_t qh = 0;
        if (Bits == 5)
            std::memcpy(&qh, row + 2, 4);
        const uint8_t *qs = row + headerBytes;
        const int8_t *x = &a.q[b * kQK];
        int sumi = 0;
        for (int j = 0; j < 16; ++j) {
            const int lo = (qs[j] & 0x0F) | int((qh >> j) & 1) << 4;
            const int hi = (qs[j] >> 4) | int((qh >> (j + 16)) & 1) << 4;
            sumi += (lo - zero) * x[j] + (hi - zero) * x[j + 16];
        }
        acc += half(row) * a.scale[b] * float(sumi);
        if (Offset)
            acc += half(row + 2) * a.sum[b];
    }
    return acc;
}

// block_q4_K (256 elements = 8 sub-blocks of 32, each one activation block): d, dmin (fp16),
// scales[12] (6-bit scale and min per sub-block), qs[128]; the 32 bytes of chunk c hold
// sub-block 2c in their low nibbles and 2c + 1 in their high ones. value = d*sc*q - dmin*m.
float rowQ4_K(const uint8_t *row, const QuantizedActivation &a)
{
    float acc = 0.0f;
    for (int64_t sb = 0; sb < a.blocks / 8; ++sb, row += 144) {
        const uint8_t *s = row + 4;
        const uint8_t *qs = row + 16;
        float scaled = 0.0f, mins = 0.0f;
        for (int j = 0; j < 8; ++j) {
            int sc, m;
            if (j < 4) {
                sc = s[j] & 63;
                m = s[j + 4] & 63;
            } else {
                sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
                m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
            }
            const int64_t b = sb * 8 + j;
            const int8_t *x = &a.q[b * kQK];
            const uint8_t *q = qs + 32 * (j / 2);
            const int shift = 4 * (j % 2);
            int sumi = 0;
            for (int l = 0; l < kQK; ++l)
                sumi += ((q[l] >> shift) & 0xF) * x[l];
            scaled += a.scale[b] * float(sc * sumi);
            mins += float(m) * a.sum[b];
        }
        acc += half(row) * scaled - half(row + 2) * mins;
    }
    return acc;
}

// block_q6_K: ql[128], qh[64], scales[16] (int8, one per 16 elements), d (fp16); in each
// 128-element half, element l + 32k (l < 32, k < 4) takes its low 4 bits from ql[l + 32(k%2)]
// (high nibble for k >= 2) and its top 2 bits from qh[l] >> 2k; value = d * sc * (q - 32).
float rowQ6_K(const uint8_t *row, const QuantizedActivation &a)
{
    float acc = 0.0f;
    for (int64_t sb = 0; sb < a.blocks / 8; ++sb, row += 210) {
        const auto *sc = reinterpret_cast<const int8_t *>(row + 192);
        float scaled = 0.0f;
        for (int j = 0; j < 8; ++j) {
            const int64_t b = sb * 8 + j;
            const int8_t *x = &a.q[b * kQK];
            const uint8_t *ql = row + 64 * (j / 4) + 32 * (j % 2);
            const uint8_t *qh = row + 128 + 32 * (j / 4);
            const int k = j % 4;
            int sums[2] = {0, 0};
            for (int l = 0; l < kQK; ++l) {
                const int low = k < 2 ? ql[l] & 0xF : ql[l] >> 4;
                const int q = (low | ((qh[l] >> (2 * k)) & 3) << 4) - 32;
                sums[l / 16] += q * x[l];
            }
            scaled += a.scale[b] * float(sc[2 * j] * sums[0] + sc[2 * j + 1] * sums[1]);
        }
        acc += half(row + 208) * scaled;
    }
    return acc;
}

} // namespace

void quantizeActivation(const float *x, int64_t n, QuantizedActivation &out)
{
    if (!quantizeActivationAvx2(x, n, out))
        quantizeActivationScalar(x, n, out);
}

void quantizeActivationScalar(const float *x, int64_t n, QuantizedActivation &out)
{
    out.blocks = n / kQK;
    out.scale.resize(static_cast<size_t>(out.blocks));
    out.sum.resize(static_cast<size_t>(out.blocks));
    out.q.resize(static_cast<size_t>(n));
    for (int64_t b = 0; b < out.blocks; ++b) {
        const float *v = x + b * kQK;
        float amax = 0.0f;
        for (int j = 0; j < kQK; ++j)
            amax = std::max(amax, std::fabs(v[j]));
        const float d = amax / 127.0f;
        const float id = d > 0.0f ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < kQK; ++j) {
            const int q = static_cast<int>(std::nearbyint(v[j] * id));
            out.q[b * kQK + j] = static_cast<int8_t>(std::clamp(q, -127, 127));
            sum += out.q[b * kQK + j];
        }
        out.scale[b] = d;
        out.sum[b] = d * float(sum);
    }
}

bool isBlockDotType(uint32_t t)
{
    return t == ggml::Q8_0 || t == ggml::Q4_0 || t == ggml::Q4_1 || t == ggml::Q5_0 ||
           t == ggml::Q4_K || t == ggml::Q6_K;
}

BlockRowDot blockRowDotScalar(uint32_t t)
{
    switch (t) {
    case ggml::Q8_0: return rowQ8_0;
    case ggml::Q4_0: return rowNibbles<4, false>;
    case ggml::Q4_1: return rowNibbles<4, true>;
    case ggml::Q5_0: return rowNibbles<5, false>;
    case ggml::Q4_K: return rowQ4_K;
    case ggml::Q6_K: return rowQ6_K;
    default: return nullptr;
    }
}

BlockRowDot blockRowDot(uint32_t t)
{
    if (BlockRowDot vnni = blockRowDotVnni(t))
        return vnni;
    if (BlockRowDot avx2 = blockRowDotAvx2(t))
        return avx2;
    return blockRowDotScalar(t);
}

} // namespace ft
