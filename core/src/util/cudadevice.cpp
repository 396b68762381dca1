#include "ft/cudadevice.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include <dlfcn.h>

namespace ft {

namespace {

// The CUDA runtime and driver are asked by symbol name through the libraries LibTorch's CUDA
// build has already loaded (libcudart is a dependency of libtorch_cuda; libcuda.so.1 is opened
// by the runtime). core then needs no CUDA headers and no CUDA link, and the same code is a
// no-op in a CPU-only LibTorch. The signatures are the stable C API of the CUDA runtime and
// driver (int status codes; 0 is success).
using MemGetInfo = int (*)(size_t *freeBytes, size_t *totalBytes);
using DeviceGetAttribute = int (*)(int *value, int attribute, int device);
using CuDeviceGet = int (*)(int *device, int ordinal);
using CuDeviceGetName = int (*)(char *name, int length, int device);

constexpr int kComputeCapabilityMajor = 75;  // cudaDevAttrComputeCapabilityMajor
constexpr int kComputeCapabilityMinor = 76;  // cudaDevAttrComputeCapabilityMinor

template <typename F>
F runtimeSymbol(const char *name)
{
    return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

std::string deviceName()
{
    void *driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
    if (!driver)
        return "CUDA device 0";
    auto get = reinterpret_cast<CuDeviceGet>(dlsym(driver, "cuDeviceGet"));
    auto getName = reinterpret_cast<CuDeviceGetName>(dlsym(driver, "cuDeviceGetName"));
    int device = 0;
    char name[256] = {};
    std::string result = "CUDA device 0";
    if (get && getName && get(&device, 0) == 0 && getName(name, sizeof name - 1, device) == 0)
        result = name;
    dlclose(driver);  // RTLD_NOLOAD took a reference of its own
    return result;
}

} // namespace

std::optional<CudaDevice> firstCudaDevice()
{
    if (!at::globalContext().hasCUDA() || !torch::cuda::is_available())
        return std::nullopt;  // is_available() also initialises the runtime on device 0
    auto memGetInfo = runtimeSymbol<MemGetInfo>("cudaMemGetInfo");
    auto attribute = runtimeSymbol<DeviceGetAttribute>("cudaDeviceGetAttribute");
    if (!memGetInfo || !attribute)
        return std::nullopt;
    CudaDevice device;
    size_t freeBytes = 0, totalBytes = 0;
    if (memGetInfo(&freeBytes, &totalBytes) != 0)
        return std::nullopt;
    device.freeBytes = int64_t(freeBytes);
    device.totalBytes = int64_t(totalBytes);
    attribute(&device.computeMajor, kComputeCapabilityMajor, 0);
    attribute(&device.computeMinor, kComputeCapabilityMinor, 0);
    device.name = deviceName();
    return device;
}

std::string cudaAbsenceReason()
{
    if (!at::globalContext().hasCUDA())
        return "this LibTorch build has no CUDA";
    if (!torch::cuda::is_available())
        return "LibTorch sees no CUDA device";
    return "";
}

} // namespace ft
