// A weight matrix kept in its GGUF block-quantised form (Q8_0, Q4_0, Q4_1), rows in the Hugging
// Face order, for decoding straight from the blocks as llama.cpp does: one token reads 4.5-8.5
// bits per weight instead of 32. The fp32 copy of the same values still serves prefill and
// training.
#pragma once

#include <cstdint>
#include <vector>

namespace ft {

struct QuantizedMatrix
{
    uint32_t ggmlType = 0;   // ggml::Q8_0, Q4_0 or Q4_1
    int64_t rows = 0;        // output features
    int64_t cols = 0;        // input features (a multiple of 32)
    int64_t rowBytes = 0;
    std::vector<uint8_t> data;  // rows * rowBytes
};

// y (rows) = W x, x (cols). Threads over rows with LibTorch's intra-op pool.
void quantizedGemv(const QuantizedMatrix &matrix, const float *x, float *y);

// True for the ggml types quantizedGemv computes with.
bool isGemvQuantType(uint32_t ggmlType);

} // namespace ft
