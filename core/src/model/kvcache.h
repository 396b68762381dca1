// Keys and values of past positions for incremental decoding, preallocated to the maximum
// length so each step writes in place instead of concatenating.
#pragma once

#include <torch/types.h>

#include <vector>

namespace ft {

struct KvCache
{
    std::vector<torch::Tensor> keys;    // per layer (B, Hkv, capacity, D)
    std::vector<torch::Tensor> values;  // per layer (B, Hkv, capacity, D)
    int64_t length = 0;                 // positions filled
    int64_t capacity = 0;
};

} // namespace ft
