// Reading trainable tensors back from a checkpoint's safetensors file. Its own translation unit:
// io/safetensorsfile.h and io/safetensorswriter.h must not meet (see docs/training.md).
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ft {

// Copies every tensor of `parameters` (in place, no grad) from the file's tensor of the same
// name; throws BadInput naming the file for a missing tensor or a shape that differs.
void loadTensorsInto(const std::filesystem::path &file,
                     const std::vector<std::pair<std::string, torch::Tensor>> &parameters);

} // namespace ft
