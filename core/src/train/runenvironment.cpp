#include "train/runenvironment.h"

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
            {"os", os},
            {"cpu_model", cpu},
            {"device", device},
            {"cuda_built", at::globalContext().hasCUDA()},
            {"cuda_available", torch::cuda::is_available()}};
}

} // namespace ft
