// bf16 autocast for the forward passes on CUDA (fp32 on the CPU), as transformers' bf16=True.
#pragma once

#include <ATen/autocast_mode.h>

#include <string>

namespace ft {

struct AutocastScope
{
    const bool on;
    explicit AutocastScope(const std::string &device) : on(device == "cuda")
    {
        if (!on)
            return;
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    }
    ~AutocastScope()
    {
        if (!on)
            return;
        at::autocast::set_enabled(false);
        at::autocast::clear_cache();
    }
    AutocastScope(const AutocastScope &) = delete;
    AutocastScope &operator=(const AutocastScope &) = delete;
};

} // namespace ft
