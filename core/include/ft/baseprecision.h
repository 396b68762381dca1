// The format a frozen base model's linear weights are kept in while adapters train over it
// (QLoRA's idea, Dettmers et al. 2023, arXiv:2305.14314, on our formats): fp32, bf16, the GGUF
// blocks Q8_0 / Q4_0, or NF4 as bitsandbytes stores it. Torch-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ft {

enum class BasePrecision { Fp32, Bf16, Q8_0, Q4_0, Nf4 };

// "fp32", "bf16", "q8_0", "q4_0", "nf4" (as in run.json's base_precision); nullopt otherwise.
std::optional<BasePrecision> parseBasePrecision(const std::string &name);
const char *basePrecisionName(BasePrecision precision);
// "fp32, bf16, q8_0, q4_0, nf4", for messages.
const char *basePrecisionChoices();
// Bytes one weight takes in this format, block scales included: Q8_0 34 bytes per 32,
// Q4_0 18 per 32, NF4 a nibble plus one fp32 absmax per 64.
double basePrecisionBytesPerWeight(BasePrecision precision);

} // namespace ft
