// Writes a safetensors file (https://github.com/huggingface/safetensors#format):
//   u64 header length N | N bytes of JSON (padded with spaces to a multiple of 8) | tensor data
// The JSON maps each name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
// to the data, tensors back to back in header order) plus an optional "__metadata__" of strings.
// The file is written beside the target under a temporary name and renamed into place.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ft {

struct SafetensorsWriteEntry
{
    std::string name;
    torch::ScalarType dtype = torch::kFloat32; // kFloat32, kFloat16 or kBFloat16
    std::vector<int64_t> shape;
    // Produces the tensor when its bytes are written (one at a time, so a model never has to be
    // in memory whole). Converted to `dtype` and made contiguous; its shape must equal `shape`.
    std::function<torch::Tensor()> load;
};

// Throws ft::Error(BadInput) naming the file when it cannot be written (disk full, no access)
// and Internal for a tensor that does not match its entry.
void writeSafetensors(const std::filesystem::path &file,
                      const std::vector<SafetensorsWriteEntry> &entries,
                      const std::map<std::string, std::string> &metadata = {});

// Convenience: tensors already in memory, stored in their own dtype (F32 / F16 / BF16).
void writeSafetensors(const std::filesystem::path &file,
                      const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

} // namespace ft
