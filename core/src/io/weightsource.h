// Named tensors of a model on disk, whatever the file format: safetensors (one file or shards)
// or GGUF. Names are Hugging Face checkpoint keys ("model.layers.0.self_attn.q_proj.weight").
#pragma once

#include "model/quantizedmatrix.h"

#include <torch/types.h>

#include <memory>

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

class WeightSource
{
public:
    virtual ~WeightSource() = default;
    virtual std::vector<std::string> tensorNames() const = 0;
    virtual bool has(const std::string &name) const = 0;
    virtual std::vector<int64_t> shape(const std::string &name) const = 0;
    // Stored element type: "F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", ...
    virtual std::string dtypeName(const std::string &name) const = 0;
    // A contiguous float32 CPU tensor owning its memory (dequantised / upcast as needed).
    // Throws ft::Error(BadInput) naming the file and tensor when the data is unusable.
    virtual torch::Tensor loadFloat32(const std::string &name) const = 0;
    // The same values as loadFloat32 in block-quantised form, for 2-D tensors stored as Q8_0,
    // Q4_0 or Q4_1 (GGUF); null otherwise. Used for fast single-token decoding.
    virtual std::shared_ptr<const QuantizedMatrix> loadQuantized(const std::string &name) const
    {
        return nullptr;
    }
    // The file (or folder) the tensors come from, for error messages.
    virtual std::string origin() const = 0;
};

} // namespace ft
