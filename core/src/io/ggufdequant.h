// ggml tensor types: their block geometry (for size validation of any type a GGUF may hold) and
// dequantisation to float32 of the types this engine supports, bit-exact with ggml's
// dequantize_row_* (ggml/src/ggml-quants.c) and gguf-py's gguf.quants.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ft {

namespace ggml {
enum Type : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ4_NL = 20,
    IQ4_XS = 23,
    BF16 = 30,
};
} // namespace ggml

struct GgmlTypeTraits
{
    const char *name;
    int64_t blockSize; // elements per block
    int64_t bytesPerBlock;
};

// nullopt for a type id ggml does not define.
std::optional<GgmlTypeTraits> ggmlTypeTraits(uint32_t type);
// "Q4_1", or "type 99" for an unknown id.
std::string ggmlTypeName(uint32_t type);
bool isDequantSupported(uint32_t type);
// "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, ..." (every type dequantizeRow handles)
const char *supportedDequantTypes();

// IEEE half / bfloat16 bits -> float (exact, incl. subnormals, inf, NaN).
float halfToFloat(uint16_t bits);
float bf16ToFloat(uint16_t bits);

// Dequantises `count` elements (a multiple of the type's block size) from `src` (which holds
// count / blockSize * bytesPerBlock bytes) into `dst`. Throws ft::Error(BadInput) naming
// `what` (e.g. "model.gguf: tensor blk.0.attn_q.weight") for an unsupported type.
void dequantizeRow(uint32_t type, const uint8_t *src, int64_t count, float *dst,
                   const std::string &what);

} // namespace ft
