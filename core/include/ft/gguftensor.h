// One tensor of a GGUF file, dequantised to float32 exactly as ggml does, under its GGUF name and
// in its stored row order (no llama.cpp Q/K permutation undone): for inspection and for tests
// against gguf-py.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ft {

struct GgufTensorValues
{
    std::string name;
    std::string type;          // ggml type name, e.g. "Q4_K"
    std::vector<int64_t> ne;   // ggml order: ne[0] is the row length
    std::vector<float> values; // numel() floats, row after row
};

// Throws ft::Error(BadInput) naming the file for a malformed file, a missing tensor or a type the
// engine cannot dequantise.
GgufTensorValues readGgufTensor(const std::filesystem::path &file, const std::string &name);

// The names and ggml type names of all tensors, in file order.
std::vector<std::pair<std::string, std::string>> listGgufTensors(const std::filesystem::path &file);

} // namespace ft
