// Dequantisation of ggml's 5-bit legacy quants, K-quants and 4-bit non-linear quants to float32,
// bit-exact with ggml's dequantize_row_* (ggml/src/ggml-quants.c) and gguf-py's gguf.quants.
#pragma once

#include <cstdint>

namespace ft {

// Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL, IQ4_XS.
bool isExtendedDequantType(uint32_t type);

// As dequantizeRow (ggufdequant.h): `count` is a multiple of the type's block size and `src`
// holds count / blockSize * bytesPerBlock bytes (GgufFile validates both against the file).
// Returns false for a type not listed above (nothing is written then).
bool dequantizeRowExtended(uint32_t type, const uint8_t *src, int64_t count, float *dst);

} // namespace ft
