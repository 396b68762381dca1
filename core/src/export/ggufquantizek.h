// float32 -> Q4_K, Q6_K and Q5_0 blocks, byte for byte as ggml's reference quantisers
// (quantize_row_q4_K_ref, quantize_row_q6_K_ref, quantize_row_q5_0_ref in ggml-quants.c), which
// llama.cpp's llama-quantize uses when no importance matrix is given. Q5_0 is where llama.cpp
// puts a Q4_K tensor whose rows are not whole 256-element super-blocks.
#pragma once

#include <cstdint>
#include <vector>

namespace ft {

// Each appends the encoding of `count` floats (a multiple of 256, resp. 32 for Q5_0) to `out`.
void quantizeQ4K(const float *x, int64_t count, std::vector<uint8_t> &out);
void quantizeQ6K(const float *x, int64_t count, std::vector<uint8_t> &out);
void quantizeQ5_0(const float *x, int64_t count, std::vector<uint8_t> &out);

} // namespace ft
