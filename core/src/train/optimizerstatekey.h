// The key torch::optim files a parameter's state under: a string of the TensorImpl pointer in
// LibTorch 1.x, the pointer itself in 2.x. For code that reads or writes AdamW's state directly
// (train/fusedadamw.cpp, dist/zerostage1.cpp).
#pragma once

#include <torch/optim/adamw.h>
#include <torch/version.h>
#if TORCH_VERSION_MAJOR < 2
#include <c10/util/string_utils.h>
#endif

#include <type_traits>
#include <utility>

namespace ft {

using OptimizerStateKey =
    std::decay_t<decltype(std::declval<torch::optim::AdamW &>().state())>::key_type;

inline OptimizerStateKey optimizerStateKey(const torch::Tensor &parameter)
{
#if TORCH_VERSION_MAJOR >= 2
    return parameter.unsafeGetTensorImpl();
#else
    return c10::guts::to_string(parameter.unsafeGetTensorImpl());
#endif
}

} // namespace ft
