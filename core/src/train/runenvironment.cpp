#include "train/runenvironment.h"

#include "ft/cudadevice.h"
#include "ft/runtime.h"

#include <torch/torch.h>

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#ifndef FT_ENGINE_VERSION
#define FT_ENGINE_VERSION "unknown"
#endif

namespace ft {

int64_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    int64_t size = 0, resident = 0;
    if (!(statm >> size >> resident))
        return 0;
    return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

namespace {

nlohmann::json gpuJson(const std::string &device)
{
    const auto gpu = device == "cuda" ? firstCudaDevice() : std::nullopt;
    if (!gpu)
        return nullptr;
    return {{"name", gpu->name},
            {"memory_bytes", gpu->totalBytes},
            {"compute_capability", std::to_string(gpu->computeMajor) + "." + std::to_string(gpu->computeMinor)},
            {"autocast", gpu->supportsBf16() ? "bf16" : "fp32"}};
}

} // namespace

std::string resolveDevice(const std::string &requested, std::string &problem)
{
    // hasCUDA: this LibTorch was built with CUDA (the Debian package is CPU-only); is_available:
    // and it sees a device.
    const bool built = at::globalContext().hasCUDA();
    const bool usable = built && torch::cuda::is_available();
    if (requested == "cuda") {
        if (!built)
            problem = "device: \"cuda\" was asked for, but this LibTorch build has no CUDA "
                      "support (a CPU-only build); use \"cpu\" or \"auto\"";
        else if (!usable)
            problem = "device: \"cuda\" was asked for, but LibTorch sees no CUDA device here; "
                      "use \"cpu\" or \"auto\"";
        return usable ? "cuda" : std::string();
    }
    if (requested == "auto")
        return usable ? "cuda" : "cpu";
    return "cpu";
}

std::string deviceLogLine(const std::string &requested, const std::string &device)
{
    if (device == "cuda") {
        const auto gpu = firstCudaDevice();
        if (!gpu)
            return "device: cuda";
        return "device: cuda (" + gpu->name + ", " + std::to_string(gpu->totalBytes >> 20) +
               " MiB, " + (gpu->supportsBf16() ? "bf16 autocast" : "fp32: no bf16 on this GPU") + ")";
    }
    if (requested == "auto")
        return "device: cpu (auto: " + cudaAbsenceReason() + ")";
    return "device: cpu";
}

nlohmann::json environmentJson(const std::string &device)
{
    std::string os = "unknown";
    struct utsname u;
    if (uname(&u) == 0)
        os = std::string(u.sysname) + " " + u.release + " " + u.machine;
    std::string cpu = "unknown";
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            cpu = line.substr(line.find(':') + 2);
            break;
        }
    return {{"engine_version", FT_ENGINE_VERSION},
            {"libtorch_version", std::to_string(TORCH_VERSION_MAJOR) + "." +
                                     std::to_string(TORCH_VERSION_MINOR) + "." +
                                     std::to_string(TORCH_VERSION_PATCH)},
            {"threads", torch::get_num_threads()},
            {"malloc_huge_pages", mallocHugePages()},
            {"os", os},
            {"cpu_model", cpu},
            {"device", device},
            {"cuda_built", at::globalContext().hasCUDA()},
            {"cuda_available", torch::cuda::is_available()},
            {"gpu", gpuJson(device)}};
}

} // namespace ft
