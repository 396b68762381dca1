// Inspecting a model opened with a compact base (LoadOptions::basePrecision): its weights as
// the forward pass sees them and the memory they take.
#pragma once

#include "ft/model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

// A block projection's weight ("model.layers.0.self_attn.q_proj.weight"), dequantised to
// float32, row-major; shape gets (out, in). Throws BadInput for another name.
std::vector<float> compactBaseWeight(const Model &model, const std::string &name,
                                     std::vector<int64_t> &shape);
// Bytes the model's weights hold in memory (compact storages plus float32 tensors).
int64_t modelWeightBytes(const Model &model);

} // namespace ft
