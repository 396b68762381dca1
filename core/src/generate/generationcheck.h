// The checks every generation request passes before anything runs (generate.cpp).
#pragma once

#include "ft/generation.h"
#include "model/modelimpl.h"

#include <cstdint>
#include <vector>

namespace ft {

// BadInput for an empty prompt, negative max tokens, invalid sampling settings, or stop strings
// without a tokenizer.
void checkGenerationRequest(const Model::Impl &impl, const std::vector<int32_t> &promptIds,
                            const GenerationOptions &options);

} // namespace ft
