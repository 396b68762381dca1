// What a run folder records about the machine (environment.json) and the process's memory use.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace ft {

// Resident set size of this process now (/proc/self/statm), 0 where unknown.
int64_t residentBytes();
// "cpu" or "cuda" for config.device ("auto" | "cpu" | "cuda"; auto: cuda where LibTorch has
// CUDA and sees a device); empty with `problem` naming why when "cuda" cannot be met.
std::string resolveDevice(const std::string &requested, std::string &problem);
// The training log's line naming the device and why: "device: cpu (auto: this LibTorch build has
// no CUDA)", "device: cuda (NVIDIA H100 80GB HBM3, 81079 MiB, bf16 autocast)".
std::string deviceLogLine(const std::string &requested, const std::string &device);
// {"engine_version", "libtorch_version", "threads", "os", "cpu_model", "device", "cuda_built",
// "cuda_available"}.
nlohmann::json environmentJson(const std::string &device);

} // namespace ft
