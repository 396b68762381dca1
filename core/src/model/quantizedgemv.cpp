#include "model/quantizedmatrix.h"

#include "io/ggufdequant.h"

#include <ATen/Parallel.h>

#include <cstring>
#include <vector>

namespace ft {
namespace {

constexpr int kBlock = 32;

// IEEE half -> float, inlined into the kernels (ggml stores block scales as fp16).
inline float fp16ToFp32(uint16_t h)
{
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0) {
        float value = float(mantissa) * (1.0f / 16777216.0f);  // subnormal: mantissa * 2^-24
        std::memcpy(&bits, &value, 4);
        bits |= sign;
    } else if (exponent == 31) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

// Block layouts of ggml (ggml-common.h): fp16 scale(s) followed by the quants.
struct BlockQ8_0 { uint16_t d; int8_t qs[32]; };
struct BlockQ4_0 { uint16_t d; uint8_t qs[16]; };
struct BlockQ4_1 { uint16_t d, m; uint8_t qs[16]; };
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);

// Each row is dequantised into a small buffer (exactly the fp32 values loadFloat32 gives) and
// dotted with x. Both loops vectorise: the first has no reduction, the second is an
// `omp simd` reduction (which permits the reordered sums a vector dot product needs).
// Compiled for AVX-512, AVX2 and plain x86-64; the loader picks the best at run time.
#define FT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

FT_CLONES void dequantizeRowQ8_0(const uint8_t *row, int64_t blocks, float *out)
{
    const auto *b = reinterpret_cast<const BlockQ8_0 *>(row);
    for (int64_t i = 0; i < blocks; ++i) {
        const float d = fp16ToFp32(b[i].d);
        for (int j = 0; j < kBlock; ++j)
            out[i * kBlock + j] = float(b[i].qs[j]) * d;
    }
}

FT_CLONES void dequantizeRowQ4_0(const uint8_t *row, int64_t blocks, float *out)
{
    const auto *b = reinterpret_cast<const BlockQ4_0 *>(row);
    for (int64_t i = 0; i < blocks; ++i) {
        const float d = fp16ToFp32(b[i].d);
        for (int j = 0; j < 16; ++j) {
            out[i * kBlock + j] = float(int(b[i].qs[j] & 0x0F) - 8) * d;
            out[i * kBlock + j + 16] = float(int(b[i].qs[j] >> 4) - 8) * d;
        }
    }
}

FT_CLONES void dequantizeRowQ4_1(const uint8_t *row, int64_t blocks, float *out)
{
    const auto *b = reinterpret_cast<const BlockQ4_1 *>(row);
    for (int64_t i = 0; i < blocks; ++i) {
        const float d = fp16ToFp32(b[i].d), m = fp16ToFp32(b[i].m);
        for (int j = 0; j < 16; ++j) {
            out[i * kBlock + j] = float(b[i].qs[j] & 0x0F) * d + m;
            out[i * kBlock + j + 16] = float(b[i].qs[j] >> 4) * d + m;
        }
    }
}

FT_CLONES float dot(const float *a, const float *b, int64_t n)
{
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t k = 0; k < n; ++k)
        sum += a[k] * b[k];
    return sum;
}

} // namespace

bool isGemvQuantType(uint32_t ggmlType)
{
    return ggmlType == ggml::Q8_0 || ggmlType == ggml::Q4_0 || ggmlType == ggml::Q4_1;
}

void quantizedGemv(const QuantizedMatrix &m, const float *x, float *y)
{
    const int64_t blocks = m.cols / kBlock;
    auto dequantizeRow = m.ggmlType == ggml::Q8_0   ? dequantizeRowQ8_0
                         : m.ggmlType == ggml::Q4_0 ? dequantizeRowQ4_0
                                                    : dequantizeRowQ4_1;
    // ~64k weights per task keeps thread hand-off cheap relative to the work.
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, m.cols));
    at::parallel_for(0, m.rows, grain, [&](int64_t begin, int64_t end) {
        std::vector<float> row(static_cast<size_t>(m.cols));
        for (int64_t r = begin; r < end; ++r) {
            dequantizeRow(m.data.data() + r * m.rowBytes, blocks, row.data());
            y[r] = dot(row.data(), x, m.cols);
        }
    });
}

} // namespace ft
