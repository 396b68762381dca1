#include "ft/runtime.h"

#include "ft/cudadevice.h"
#include "ft/localdevices.h"

#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

#include <cstdlib>
#include <malloc.h>
#include <unistd.h>

namespace ft {
namespace {

// Physical cores from /proc/cpuinfo (distinct physical id + core id pairs); falls back to the
// logical count. Hyper-threads do not speed up LibTorch's GEMMs.
int physicalCores()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::set<std::pair<std::string, std::string>> cores;
    std::string line, physicalId = "0";
    while (std::getline(cpuinfo, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
        if (key == "physical id")
            physicalId = value;
        else if (key == "core id")
            cores.emplace(physicalId, value);
    }
    const int logical = static_cast<int>(std::thread::hardware_concurrency());
    if (cores.empty())
        return logical > 0 ? logical : 1;
    return static_cast<int>(cores.size());
}

// A training step frees and re-allocates the same activations on every micro-batch. glibc
// gives the top of its heap back to the kernel once more than 2x its (adaptive) mmap threshold
// is free there, so the next micro-batch faults those pages in again; on a VM each fault costs
// microseconds, 10 % of a LoRA step (docs/benchmarks.md). Blocks up to 32 MiB stay in the heap
// and the heap is not trimmed while the process lives; Trainer::run hands it back at the end.
void keepFreedMemoryForReuse()
{
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ::mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
}

// Physical cores; under torchrun, which starts LOCAL_WORLD_SIZE processes on this machine, its
// OMP_NUM_THREADS (1 unless given), else each process's share of the cores.
int defaultThreads()
{
    const char *local = std::getenv("LOCAL_WORLD_SIZE");
    const int processes = local ? std::atoi(local) : 0;
    if (processes <= 1)
        return physicalCores();
    if (const char *omp = std::getenv("OMP_NUM_THREADS"); omp && std::atoi(omp) > 0)
        return std::atoi(omp);
    return std::max(1, physicalCores() / processes);
}

} // namespace

int cudaDeviceCount()
{
    return static_cast<int>(torch::cuda::device_count());
}

int physicalCoreCount()
{
    return physicalCores();
}

int initRuntime(int threads)
{
    keepFreedMemoryForReuse();
    const int count = threads > 0 ? threads : defaultThreads();
    torch::set_num_threads(count);
    return torch::get_num_threads();
}

namespace {

// GLIBC_TUNABLES with malloc's transparent huge pages on (glibc 2.35+ reads it when the program
// starts; older ones ignore it), the user's own tunables kept; empty when they already choose.
std::string tunablesWithHugePages()
{
    const char *current = std::getenv("GLIBC_TUNABLES");
    const std::string tunables = current ? current : "";
    if (tunables.find("glibc.malloc.hugetlb") != std::string::npos)
        return {};
    return tunables.empty() ? "glibc.malloc.hugetlb=1" : tunables + ":glibc.malloc.hugetlb=1";
}

} // namespace

void restartWithRuntimeSettings(char *argv[], OpenMpWaits waits)
{
    bool restart = false;
    if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) {
        if (waits == OpenMpWaits::Passive)
            ::setenv("OMP_WAIT_POLICY", "passive", 1);
        else
            ::setenv("GOMP_SPINCOUNT", "100000", 1);
        restart = true;
    }
    if (const std::string tunables = tunablesWithHugePages(); !tunables.empty()) {
        ::setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
        restart = true;
    }
    if (restart)
        ::execv("/proc/self/exe", argv);  // returns only on failure: run on as we are
}

bool mallocHugePages()
{
    const char *tunables = std::getenv("GLIBC_TUNABLES");
    if (!tunables)
        return false;
    const std::string text = tunables;
    const std::string key = "glibc.malloc.hugetlb=";
    const auto at = text.rfind(key);  // the last setting wins, as in glibc
    if (at == std::string::npos || at + key.size() >= text.size() || text[at + key.size()] == '0')
        return false;
    std::ifstream mode("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    std::getline(mode, modes);
    return !modes.empty() && modes.find("[never]") == std::string::npos;
}

std::string runtimeDescription()
{
    std::ostringstream out;
    out << "LibTorch " << TORCH_VERSION_MAJOR << "." << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH << ", " << torch::get_num_threads() << " threads, ";
    // What device "auto" trains on: the GPU by name and memory, or why the CPU.
    if (const auto gpu = firstCudaDevice())
        out << "GPU " << gpu->name << " (" << ((gpu->totalBytes + (1 << 29)) >> 30) << " GB)";
    else
        out << "CPU only (" << cudaAbsenceReason() << ")";
    return out.str();
}

} // namespace ft
