#include "export/ggufquantizek.h"

#include "export/ggufquantize.h"
#include "io/ggufdequant.h"

#include <algorithm>
#include <cmath>
#include <cstring>

// Built with -ffp-contract=off (core/CMakeLists.txt), as ggml-base is built without FMA: every
// product and sum below is rounded to float32 on its own and in ggml's order, so the scale
// searches take the same branches and the bytes come out equal.
namespace ft {

namespace {

constexpr int kSuperBlock = 256; // QK_K
constexpr float kGroupMaxEps = 1e-15f;

// ggml's nearest_int: round half to even through the float32 mantissa (|v| < 2^22).
int nearestInt(float v)
{
    const float shifted = v + 12582912.f;
    int32_t bits;
    std::memcpy(&bits, &shifted, 4);
    return (bits & 0x007fffff) - 0x00400000;
}

void putHalfBits(uint8_t *dst, uint16_t h)
{
    dst[0] = static_cast<uint8_t>(h & 0xFF);
    dst[1] = static_cast<uint8_t>(h >> 8);
}

// make_qx_quants with rmse_type 1 (weights x^2) and no importance: symmetric levels
// L in [0, 2*nmax) around nmax; the scale is the best of 19 trial inverse scales.
float makeQxQuants(int n, int nmax, const float *x, int8_t *L)
{
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, int8_t(0));
        return 0.f;
    }
    auto level = [nmax](float v) { return std::max(-nmax, std::min(nmax - 1, nearestInt(v))); };
    float iscale = static_cast<float>(-nmax) / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = level(iscale * x[i]);
        L[i] = static_cast<int8_t>(l + nmax);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * static_cast<float>(l);
        suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    float scale = suml2 != 0.f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0)
            continue;
        iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = level(iscale * x[i]);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * static_cast<float>(l);
            suml2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i)
                L[i] = static_cast<int8_t>(nmax + level(iscale * x[i]));
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// make_qkx2_quants without mean absolute deviation: levels 0..nmax with a scale and a min
// (returned as -min in *theMin), refined over nstep + 1 trial inverse scales by weighted
// least squares.
float makeQkx2Quants(int n, int nmax, const float *x, const float *weights, uint8_t *L,
                     float *theMin, uint8_t *Laux, float rmin, float rdelta, int nstep)
{
    float min = x[0], max = x[0];
    float sumW = weights[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min)
            min = x[i];
        if (x[i] > max)
            max = x[i];
        const float w = weights[i];
        sumW += w;
        sumX += w * x[i];
    }
    if (min > 0)
        min = 0;
    if (max == min) {
        std::fill(L, L + n, uint8_t(0));
        *theMin = -min;
        return 0.f;
    }
    float iscale = static_cast<float>(nmax) / (max - min);
    float scale = 1.0f / iscale;
    float bestError = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - min));
        L[i] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
        float diff = scale * static_cast<float>(L[i]) + min - x[i];
        diff = diff * diff;
        bestError += weights[i] * diff;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
        float sumL = 0, sumL2 = 0, sumXL = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::max(0, std::min(nmax, nearestInt(iscale * (x[i] - min))));
            Laux[i] = static_cast<uint8_t>(l);
            const float w = weights[i];
            const float lf = static_cast<float>(l);
            sumL += w * lf;
            sumL2 += w * lf * lf;
            sumXL += w * lf * x[i];
        }
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float curError = 0;
            for (int i = 0; i < n; ++i) {
                float diff = thisScale * static_cast<float>(Laux[i]) + thisMin - x[i];
                diff = diff * diff;
                curError += weights[i] * diff;
            }
            if (curError < bestError) {
                std::copy(Laux, Laux + n, L);
                bestError = curError;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    *theMin = -min;
    return scale;
}

// block_q4_K: d, dmin (half), scales[12] (8 six-bit scales and mins), qs[128]: 144 bytes.
void q4KBlock(const float *x, uint8_t *y)
{
    uint8_t L[kSuperBlock], Laux[32];
    float weights[32], mins[8], scales[8];
    float maxScale = 0, maxMin = 0;
    for (int j = 0; j < 8; ++j) {
        const float *xs = x + 32 * j;
        float sumX2 = 0;
        for (int l = 0; l < 32; ++l)
            sumX2 += xs[l] * xs[l];
        const float avX = std::sqrt(sumX2 / 32);
        for (int l = 0; l < 32; ++l)
            weights[l] = avX + std::fabs(xs[l]);
        scales[j] = makeQkx2Quants(32, 15, xs, weights, L + 32 * j, &mins[j], Laux, -1.f, 0.1f, 20);
        if (scales[j] > maxScale)
            maxScale = scales[j];
        if (mins[j] > maxMin)
            maxMin = mins[j];
    }
    const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    uint8_t *sc = y + 4;
    for (int j = 0; j < 8; ++j) {
        // nearest_int's result stored in a uint8_t, then capped at 63, as ggml does
        const auto ls = std::min<uint8_t>(63, uint8_t(nearestInt(invScale * scales[j])));
        const auto lm = std::min<uint8_t>(63, uint8_t(nearestInt(invMin * mins[j])));
        if (j < 4) {
            sc[j] = ls;
            sc[j + 4] = lm;
        } else {
            sc[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
            sc[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
            sc[j] |= static_cast<uint8_t>((lm >> 4) << 6);
        }
    }
    const uint16_t dBits = floatToHalf(maxScale / 63.f);
    const uint16_t dminBits = floatToHalf(maxMin / 63.f);
    putHalfBits(y, dBits);
    putHalfBits(y + 2, dminBits);
    const float d0 = halfToFloat(dBits), dmin0 = halfToFloat(dminBits);
    for (int j = 0; j < 8; ++j) {
        uint8_t s, m; // get_scale_min_k4
        if (j < 4) {
            s = sc[j] & 63;
            m = sc[j + 4] & 63;
        } else {
            s = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((sc[j - 4] >> 6) << 4));
            m = static_cast<uint8_t>((sc[j + 4] >> 4) | ((sc[j] >> 6) << 4));
        }
        const float d = d0 * static_cast<float>(s);
        if (d == 0.f)
            continue;
        const float dm = dmin0 * static_cast<float>(m);
        for (int i = 0; i < 32; ++i)
            L[32 * j + i] =
                static_cast<uint8_t>(std::clamp(nearestInt((x[32 * j + i] + dm) / d), 0, 15));
    }
    uint8_t *q = y + 16;
    for (int j = 0; j < kSuperBlock; j += 64, q += 32)
        for (int l = 0; l < 32; ++l)
            q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
}

// block_q6_K: ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] (int8), d (half): 210 bytes.
void q6KBlock(const float *x, uint8_t *y)
{
    int8_t L[kSuperBlock];
    float scales[16];
    float maxScale = 0, maxAbsScale = 0;
    for (int ib = 0; ib < 16; ++ib) {
        const float scale = makeQxQuants(16, 32, x + 16 * ib, L + 16 * ib);
        scales[ib] = scale;
        if (std::fabs(scale) > maxAbsScale) {
            maxAbsScale = std::fabs(scale);
            maxScale = scale;
        }
    }
    if (maxAbsScale < kGroupMaxEps) {
        std::memset(y, 0, 210);
        return;
    }
    uint8_t *ql = y, *qh = y + 128;
    int8_t *sc = reinterpret_cast<int8_t *>(y + 192);
    const float iscale = -128.f / maxScale;
    const uint16_t dBits = floatToHalf(1.0f / iscale);
    putHalfBits(y + 208, dBits);
    for (int ib = 0; ib < 16; ++ib)
        sc[ib] = static_cast<int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
    const float d0 = halfToFloat(dBits);
    for (int j = 0; j < 16; ++j) {
        const float d = d0 * static_cast<float>(sc[j]);
        if (d == 0.f)
            continue;
        for (int i = 0; i < 16; ++i)
            L[16 * j + i] =
                static_cast<int8_t>(std::clamp(nearestInt(x[16 * j + i] / d), -32, 31) + 32);
    }
    for (int j = 0; j < kSuperBlock; j += 128, ql += 64, qh += 32)
        for (int l = 0; l < 32; ++l) {
            const int a = L[j + l], b = L[j + l + 32], c = L[j + l + 64], e = L[j + l + 96];
            ql[l] = static_cast<uint8_t>((a & 0xF) | ((c & 0xF) << 4));
            ql[l + 32] = static_cast<uint8_t>((b & 0xF) | ((e & 0xF) << 4));
            qh[l] = static_cast<uint8_t>((a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) |
                                         ((e >> 4) << 6));
        }
}

// block_q5_0: d (half), qh (32 fifth bits), qs[16]: 22 bytes. d = (largest |x|, sign kept) / -16.
void q5_0Block(const float *x, uint8_t *y)
{
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 32; ++j)
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    const float d = max / -16;
    const float id = d != 0.f ? 1.0f / d : 0.0f;
    putHalfBits(y, floatToHalf(d));
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
        // (int8_t)(v + 16.5f) truncates; v is within [-16, 16]
        const int xi0 = std::min(31, static_cast<int>(x[j] * id + 16.5f));
        const int xi1 = std::min(31, static_cast<int>(x[16 + j] * id + 16.5f));
        y[6 + j] = static_cast<uint8_t>((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
        qh |= ((static_cast<uint32_t>(xi0) & 0x10u) >> 4) << j;
        qh |= ((static_cast<uint32_t>(xi1) & 0x10u) >> 4) << (j + 16);
    }
    std::memcpy(y + 2, &qh, 4); // little-endian, as the host ggml runs on
}

template <typename Block>
void quantizeBlocks(const float *x, int64_t count, int blockSize, int bytesPerBlock, Block block,
                    std::vector<uint8_t> &out)
{
    const int64_t blocks = count / blockSize;
    const size_t start = out.size();
    out.resize(start + static_cast<size_t>(blocks * bytesPerBlock), 0);
    for (int64_t b = 0; b < blocks; ++b)
        block(x + b * blockSize, out.data() + start + b * bytesPerBlock);
}

} // namespace

void quantizeQ4K(const float *x, int64_t count, std::vector<uint8_t> &out)
{
    quantizeBlocks(x, count, kSuperBlock, 144, q4KBlock, out);
}

void quantizeQ6K(const float *x, int64_t count, std::vector<uint8_t> &out)
{
    quantizeBlocks(x, count, kSuperBlock, 210, q6KBlock, out);
}

void quantizeQ5_0(const float *x, int64_t count, std::vector<uint8_t> &out)
{
    quantizeBlocks(x, count, 32, 22, q5_0Block, out);
}

} // namespace ft
