// What this machine offers local training processes (torch-free, for the studio's settings).
#pragma once

namespace ft {

// CUDA devices LibTorch sees (0 in a CPU-only build).
int cudaDeviceCount();
// Physical CPU cores (at least 1).
int physicalCoreCount();

} // namespace ft
