#include "export/ggufmix.h"

#include "io/ggufdequant.h"

#include <cstdlib>

namespace ft {

namespace {

enum class Role { TokenEmbedding, Output, AttentionV, FfnDown, Other };

bool contains(const std::string &s, const char *part)
{
    return s.find(part) != std::string::npos;
}

Role roleOf(const std::string &name)
{
    if (name == "token_embd.weight" || name == "model.embed_tokens.weight")
        return Role::TokenEmbedding;
    if (name == "output.weight" || name == "lm_head.weight")
        return Role::Output;
    if (contains(name, "attn_v.weight") || contains(name, "self_attn.v_proj.weight"))
        return Role::AttentionV;
    if (contains(name, "ffn_down") || contains(name, "mlp.down_proj"))
        return Role::FfnDown;
    return Role::Other;
}

// The N of "blk.N." / "layers.N.", -1 outside the blocks.
int layerOf(const std::string &name)
{
    for (const char *prefix : {"blk.", "layers."}) {
        const auto at = name.find(prefix);
        if (at != std::string::npos)
            return std::atoi(name.c_str() + at + std::char_traits<char>::length(prefix));
    }
    return -1;
}

// llama-quant.cpp's use_more_bits: the first and last eighth of the layers and every third one
// between get more bits in Q4_K_M.
bool useMoreBits(int layer, int nLayers)
{
    return layer < nLayers / 8 || layer >= 7 * nLayers / 8 || (layer - nLayers / 8) % 3 == 2;
}

uint32_t wholeFileType(GgufOutType t)
{
    switch (t) {
    case GgufOutType::F32: return ggml::F32;
    case GgufOutType::F16: return ggml::F16;
    case GgufOutType::BF16: return ggml::BF16;
    case GgufOutType::Q8_0: return ggml::Q8_0;
    case GgufOutType::Q4_0: return ggml::Q4_0;
    case GgufOutType::Q4_1: return ggml::Q4_1;
    case GgufOutType::Q4_K_M: return ggml::Q4_K;
    case GgufOutType::Q6_K: return ggml::Q6_K;
    }
    return ggml::F32;
}

int64_t blockSize(uint32_t type)
{
    return ggmlTypeTraits(type)->blockSize;
}

} // namespace

uint32_t ggufTensorType(GgufOutType fileType, const std::string &name,
                        const std::vector<int64_t> &shape, int nLayers, bool tiedEmbeddings)
{
    if (shape.size() < 2)
        return ggml::F32; // norms and biases stay F32, as both converters keep them
    const int64_t row = shape.back();
    uint32_t type = wholeFileType(fileType);
    if (fileType != GgufOutType::Q4_K_M && fileType != GgufOutType::Q6_K)
        // convert_hf_to_gguf.py: a row that is not whole blocks is written F16
        return row % blockSize(type) == 0 ? type : ggml::F16;

    const Role role = roleOf(name);
    const bool q4km = fileType == GgufOutType::Q4_K_M;
    if (role == Role::Output || (tiedEmbeddings && role == Role::TokenEmbedding))
        type = row % blockSize(type) != 0 ? ggml::Q8_0 : ggml::Q6_K;
    else if (q4km && (role == Role::AttentionV || role == Role::FfnDown) &&
             useMoreBits(layerOf(name), nLayers))
        type = ggml::Q6_K;
    // tensor_type_fallback: rows that are not whole 256-element super-blocks
    if (row % blockSize(type) != 0) {
        if (type == ggml::Q4_K)
            type = ggml::Q5_0;
        else if (type == ggml::Q6_K)
            type = ggml::Q8_0;
        if (row % blockSize(type) != 0)
            type = ggml::F16;
    }
    return type;
}

uint64_t ggufTensorBytes(uint32_t ggmlType, const std::vector<int64_t> &shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    const auto traits = *ggmlTypeTraits(ggmlType);
    return static_cast<uint64_t>(n / traits.blockSize * traits.bytesPerBlock);
}

} // namespace ft
