// float32 -> the GGUF tensor types this engine writes, byte for byte as gguf-py's
// gguf.quants.quantize (and so as llama.cpp's convert_hf_to_gguf.py): F32, F16 (IEEE
// round-to-nearest-even), BF16 (ggml_compute_fp32_to_bf16), Q8_0, Q4_0, Q4_1; and Q5_0, Q4_K,
// Q6_K as ggml's reference quantisers (export/ggufquantizek.h).
#pragma once

#include <cstdint>
#include <vector>

namespace ft {

uint16_t floatToHalf(float f);
uint16_t floatToBf16(float f);

// True for the ggml type ids quantizeRows handles.
bool isQuantizeSupported(uint32_t ggmlType);

// Appends the encoding of `count` floats (a multiple of the type's block size) to `out`.
void quantizeRows(uint32_t ggmlType, const float *x, int64_t count, std::vector<uint8_t> &out);

} // namespace ft
