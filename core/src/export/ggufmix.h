// Which ggml type each tensor of a GGUF export gets: the whole-file types (F32 ... Q4_1) as
// convert_hf_to_gguf.py writes them, and the K-quant files as llama.cpp's llama-quantize
// (llama-quant.cpp, no importance matrix) mixes them for LLAMA_FTYPE_MOSTLY_Q4_K_M and _Q6_K.
#pragma once

#include "ft/ggufexport.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

// `name` is a GGUF name (token_embd.weight, blk.3.attn_v.weight, output.weight, ...) or the
// Hugging Face one (model.embed_tokens.weight, model.layers.3.self_attn.v_proj.weight,
// lm_head.weight, ...); `shape` in PyTorch order (the row is the last dimension); `nLayers` the
// model's block count; `tiedEmbeddings` when the file has no output.weight.
uint32_t ggufTensorType(GgufOutType fileType, const std::string &name,
                        const std::vector<int64_t> &shape, int nLayers, bool tiedEmbeddings);

// Bytes of the tensor data of that type (no alignment padding).
uint64_t ggufTensorBytes(uint32_t ggmlType, const std::vector<int64_t> &shape);

} // namespace ft
