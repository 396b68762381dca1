// bf16 autocast for the forward passes on CUDA where the GPU has bf16 (compute capability 8.0,
// Ampere, and later), as transformers' bf16=True; fp32 on older GPUs and on the CPU.
#pragma once

#include "ft/cudadevice.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <string>

namespace ft {

inline bool cudaBf16Autocast()
{
    static const bool supported = [] {
        const auto gpu = firstCudaDevice();
        return gpu && gpu->supportsBf16();
    }();
    return supported;
}

struct AutocastScope
{
    const bool on;
    explicit AutocastScope(const std::string &device) : on(device == "cuda" && cudaBf16Autocast())
    {
        if (!on)
            return;
// LibTorch 2.4 added the device-neutral calls and deprecated the CUDA-only ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
#endif
    }
    ~AutocastScope()
    {
        if (!on)
            return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
        at::autocast::set_enabled(false);
#endif
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;
};

} // namespace ft
