// The GPU that training with device "auto" or "cuda" would use, as this LibTorch build sees it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ft {

struct CudaDevice
{
    std::string name;         // "NVIDIA H100 80GB HBM3"
    int64_t totalBytes = 0;   // the device's memory
    int64_t freeBytes = 0;    // what is free now (other processes hold the rest)
    int computeMajor = 0;     // compute capability, e.g. 9.0 for Hopper
    int computeMinor = 0;
    bool supportsBf16() const { return computeMajor >= 8; }  // Ampere and later
};

// CUDA device 0, or none: a CPU-only LibTorch (Debian's), or no device / driver here.
std::optional<CudaDevice> firstCudaDevice();

// Why there is no CUDA device, for logs: "this LibTorch build has no CUDA" or "LibTorch sees
// no CUDA device"; empty when there is one.
std::string cudaAbsenceReason();

} // namespace ft
