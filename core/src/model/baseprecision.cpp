#include "ft/baseprecision.h"

namespace ft {

std::optional<BasePrecision> parseBasePrecision(const std::string &name)
{
    if (name == "fp32")
        return BasePrecision::Fp32;
    if (name == "bf16")
        return BasePrecision::Bf16;
    if (name == "q8_0")
        return BasePrecision::Q8_0;
    if (name == "q4_0")
        return BasePrecision::Q4_0;
    if (name == "nf4")
        return BasePrecision::Nf4;
    return std::nullopt;
}

const char *basePrecisionName(BasePrecision precision)
{
    switch (precision) {
    case BasePrecision::Fp32: return "fp32";
    case BasePrecision::Bf16: return "bf16";
    case BasePrecision::Q8_0: return "q8_0";
    case BasePrecision::Q4_0: return "q4_0";
    case BasePrecision::Nf4: return "nf4";
    }
    return "fp32";
}

const char *basePrecisionChoices()
{
    return "fp32, bf16, q8_0, q4_0, nf4";
}

double basePrecisionBytesPerWeight(BasePrecision precision)
{
    switch (precision) {
    case BasePrecision::Fp32: return 4.0;
    case BasePrecision::Bf16: return 2.0;
    case BasePrecision::Q8_0: return 34.0 / 32.0;
    case BasePrecision::Q4_0: return 18.0 / 32.0;
    case BasePrecision::Nf4: return 0.5 + 4.0 / 64.0;
    }
    return 4.0;
}

} // namespace ft
