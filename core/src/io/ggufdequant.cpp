#include "io/ggufdequant.h"

#include "io/ggufdequantk.h"

#include "ft/error.h"

#include <cstring>

namespace ft {

namespace {

struct TypeRow
{
    uint32_t id;
    GgmlTypeTraits traits;
};

constexpr int64_t kQK = 32;   // block size of the legacy quants (QK4_0, QK4_1, QK8_0)
constexpr int64_t kQKK = 256; // QK_K, the K-quants' super-block

// ggml's type table (ggml.h enum ggml_type; sizes from gguf-py GGML_QUANT_SIZES).
const TypeRow kTypes[] = {
    {0, {"F32", 1, 4}},
    {1, {"F16", 1, 2}},
    {2, {"Q4_0", kQK, 2 + 16}},
    {3, {"Q4_1", kQK, 2 + 2 + 16}},
    {6, {"Q5_0", kQK, 2 + 4 + 16}},
    {7, {"Q5_1", kQK, 2 + 2 + 4 + 16}},
    {8, {"Q8_0", kQK, 2 + 32}},
    {9, {"Q8_1", kQK, 4 + 4 + 32}},
    {10, {"Q2_K", kQKK, 2 + 2 + kQKK / 16 + kQKK / 4}},
    {11, {"Q3_K", kQKK, 2 + kQKK / 4 + kQKK / 8 + 12}},
    {12, {"Q4_K", kQKK, 2 + 2 + kQKK / 2 + 12}},
    {13, {"Q5_K", kQKK, 2 + 2 + kQKK / 2 + kQKK / 8 + 12}},
    {14, {"Q6_K", kQKK, 2 + kQKK / 2 + kQKK / 4 + kQKK / 16}},
    {15, {"Q8_K", kQKK, 4 + kQKK + kQKK / 8}},
    {16, {"IQ2_XXS", kQKK, 2 + kQKK / 4}},
    {17, {"IQ2_XS", kQKK, 2 + kQKK / 4 + kQKK / 32}},
    {18, {"IQ3_XXS", kQKK, 2 + kQKK / 4 + kQKK / 8}},
    {19, {"IQ1_S", kQKK, 2 + kQKK / 8 + kQKK / 16}},
    {20, {"IQ4_NL", kQK, 2 + 16}},
    {21, {"IQ3_S", kQKK, 2 + kQKK / 4 + kQKK / 8 + kQKK / 32 + 4}},
    {22, {"IQ2_S", kQKK, 2 + kQKK / 4 + kQKK / 16}},
    {23, {"IQ4_XS", kQKK, 2 + 2 + kQKK / 2 + kQKK / 64}},
    {24, {"I8", 1, 1}},
    {25, {"I16", 1, 2}},
    {26, {"I32", 1, 4}},
    {27, {"I64", 1, 8}},
    {28, {"F64", 1, 8}},
    {29, {"IQ1_M", kQKK, kQKK / 8 + kQKK / 16 + kQKK / 32}},
    {30, {"BF16", 1, 2}},
    {34, {"TQ1_0", kQKK, 2 + 4 * 13}},
    {35, {"TQ2_0", kQKK, 2 + 64}},
    {39, {"MXFP4", kQK, 1 + 16}},
};

uint16_t loadU16(const uint8_t *p)
{
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

float bitsToFloat(uint32_t bits)
{
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

} // namespace

std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t type)
{
    for (const TypeRow &row : kTypes)
        if (row.id == type)
            return row.traits;
    return std::nullopt;
}

std::string ggmlTypeName(uint32_t type)
{
    const auto t = ggmlTypeTraits(type);
    return t ? std::string(t->name) : "type " + std::to_string(type);
}

bool isDequantSupported(uint32_t type)
{
    switch (type) {
    case ggml::F32:
    case ggml::F16:
    case ggml::BF16:
    case ggml::Q8_0:
    case ggml::Q4_0:
    case ggml::Q4_1:
        return true;
    default:
        return isExtendedDequantType(type);
    }
}

const char *supportedDequantTypes()
{
    return "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, "
           "IQ4_NL, IQ4_XS";
}

float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    if (exp == 0x1F) // inf / NaN (payload kept)
        return bitsToFloat(sign | 0x7F800000u | (mant << 13));
    if (exp != 0)
        return bitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    if (mant == 0)
        return bitsToFloat(sign);
    // Subnormal half: normalise into a float.
    int e = -1;
    do {
        ++e;
        mant <<= 1;
    } while ((mant & 0x400) == 0);
    return bitsToFloat(sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3FF) << 13));
}

float bf16ToFloat(uint16_t bits)
{
    return bitsToFloat(static_cast<uint32_t>(bits) << 16);
}

// Formulas: ggml/src/ggml-quants.c dequantize_row_q8_0 / q4_0 / q4_1; the rest in
// ggufdequantk.cpp.
void dequantizeRow(uint32_t type, const uint8_t *src, int64_t count, float *dst,
                   const std::string &what)
{
    switch (type) {
    case ggml::F32:
        std::memcpy(dst, src, static_cast<size_t>(count) * 4);
        return;
    case ggml::F16:
        for (int64_t i = 0; i < count; ++i)
            dst[i] = halfToFloat(loadU16(src + 2 * i));
        return;
    case ggml::BF16:
        for (int64_t i = 0; i < count; ++i)
            dst[i] = bf16ToFloat(loadU16(src + 2 * i));
        return;
    case ggml::Q8_0: // block: d (fp16), qs[32] (int8); y = qs * d
        for (int64_t b = 0; b < count / kQK; ++b) {
            const uint8_t *blk = src + b * 34;
            const float d = halfToFloat(loadU16(blk));
            const int8_t *qs = reinterpret_cast<const int8_t *>(blk + 2);
            float *y = dst + b * kQK;
            for (int j = 0; j < kQK; ++j)
                y[j] = static_cast<float>(qs[j]) * d;
        }
        return;
    case ggml::Q4_0: // block: d (fp16), qs[16]; low nibbles -> 0..15, high -> 16..31; (q-8)*d
        for (int64_t b = 0; b < count / kQK; ++b) {
            const uint8_t *blk = src + b * 18;
            const float d = halfToFloat(loadU16(blk));
            const uint8_t *qs = blk + 2;
            float *y = dst + b * kQK;
            for (int j = 0; j < kQK / 2; ++j) {
                y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
                y[j + kQK / 2] = static_cast<float>((qs[j] >> 4) - 8) * d;
            }
        }
        return;
    case ggml::Q4_1: // block: d, m (fp16), qs[16]; q*d + m
        for (int64_t b = 0; b < count / kQK; ++b) {
            const uint8_t *blk = src + b * 20;
            const float d = halfToFloat(loadU16(blk));
            const float m = halfToFloat(loadU16(blk + 2));
            const uint8_t *qs = blk + 4;
            float *y = dst + b * kQK;
            for (int j = 0; j < kQK / 2; ++j) {
                const float x0 = static_cast<float>(qs[j] & 0x0F) * d;
                const float x1 = static_cast<float>(qs[j] >> 4) * d;
                y[j] = x0 + m;
                y[j + kQK / 2] = x1 + m;
            }
        }
        return;
    default:
        if (dequantizeRowExtended(type, src, count, dst))
            return;
        throwBadInput(
            what + " has type " + ggmlTypeName(type) +
            ", which this engine cannot dequantise (supported: " + supportedDequantTypes() +
            "); re-quantise the model to one of those, e.g. with llama-quantize");
    }
}

} // namespace ft
