// Precompiled header for core: the LibTorch headers every tensor file needs.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
