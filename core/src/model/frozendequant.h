// Row kernels that turn a frozen base's stored blocks back into float32, written as plain loops
// the compiler vectorises (built with -O3, core/CMakeLists.txt). Each equals the reference
// dequantisation exactly: ggml's dequantize_row_q8_0 / q4_0 (gguf-py's gguf.quants), and
// bitsandbytes' dequantize_4bit for NF4 (code[nibble] * absmax, fp32).
#pragma once

#include <cstdint>

namespace ft::frozen {

// The NF4 code book (QLoRA, arXiv:2305.14314, appendix E; bitsandbytes' get_4bit_type("nf4")).
extern const float kNf4Codes[16];

// cols: a multiple of 32 (Q8_0, Q4_0) or 64 (NF4).
void dequantizeQ8_0Row(const uint8_t *blocks, int64_t cols, float *out);
void dequantizeQ4_0Row(const uint8_t *blocks, int64_t cols, float *out);
// NF4 as bitsandbytes lays it out over the flattened tensor: packed two per byte, the even
// element in the high nibble; absmax one per 64 elements. Dequantises elements
// [first, first + count) (first even) of that flat sequence.
void dequantizeNf4Range(const uint8_t *packed, const float *absmax, int64_t first, int64_t count,
                        float *out);
void dequantizeBf16Row(const uint16_t *bits, int64_t cols, float *out);

// bitsandbytes' quantize_4bit (NF4, blocksize 64) on cols values (a multiple of 64): absmax per block, then each
// x * (1 / absmax), clamped to [-1, 1], goes to the code whose bucket holds it (torch.bucketize
// over the midpoints of the sorted code book: a value on a midpoint takes the lower code).
void quantizeNf4Row(const float *x, int64_t cols, uint8_t *packed, float *absmax);

} // namespace ft::frozen
