// Dot products of one GGUF block-quantised weight row with an activation vector quantised to
// int8 blocks, as llama.cpp decodes: the activation is quantised once per matrix-vector product
// (blocks of 32, one float scale each, like ggml's q8_0 but with an fp32 scale), then each
// weight block meets its activation block(s) in integer arithmetic and only the per-block sums
// are scaled in float.
#pragma once

#include <cstdint>
#include <vector>

namespace ft {

constexpr int kActivationBlock = 32;

// x quantised per block of 32: q = round(x / scale), scale = max|x| / 127 (0 for a zero block);
// sum = scale * sum(q), which the offset terms of Q4_1 and Q4_K need.
struct QuantizedActivation
{
    int64_t blocks = 0;
    std::vector<float> scale, sum;
    std::vector<int8_t> q;  // blocks * 32
};

// n is a multiple of 32. AVX2 where the CPU has it, else plain C++ (the same results).
void quantizeActivation(const float *x, int64_t n, QuantizedActivation &out);
void quantizeActivationScalar(const float *x, int64_t n, QuantizedActivation &out);
// false (nothing written) when the CPU lacks AVX2 / FMA / F16C.
bool quantizeActivationAvx2(const float *x, int64_t n, QuantizedActivation &out);

// The dot of one row (cols = a.blocks * 32 elements, stored as ggml blocks of `type`) with a.
using BlockRowDot = float (*)(const uint8_t *row, const QuantizedActivation &a);

// Q8_0, Q4_0, Q4_1, Q5_0, Q4_K, Q6_K: the types the single-token path decodes from the blocks.
bool isBlockDotType(uint32_t ggmlType);

// The fastest kernel this CPU runs (AVX-512 VNNI, else AVX2, else plain C++), nullptr for a
// type not listed above.
BlockRowDot blockRowDot(uint32_t ggmlType);
// Plain C++ (every x86-64 / other CPU); the reference for the vector kernels.
BlockRowDot blockRowDotScalar(uint32_t ggmlType);
// AVX2 + FMA + F16C; nullptr when the CPU lacks them or the type is not listed.
BlockRowDot blockRowDotAvx2(uint32_t ggmlType);
// AVX-512 VNNI on 256-bit vectors (+ VL, BW); nullptr when the CPU lacks them.
BlockRowDot blockRowDotVnni(uint32_t ggmlType);

} // namespace ft
