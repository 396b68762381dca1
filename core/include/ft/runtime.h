// Process-wide engine set-up.
#pragma once

#include <string>

namespace ft {

// Sets LibTorch's intra-op threads to the physical core count (Debian's build starts with 1).
// threads <= 0 means "physical cores". Returns the count in use. Also tells malloc to keep
// freed memory for reuse (training re-allocates the same activations every micro-batch).
int initRuntime(int threads = 0);
// Settings that libraries read once, when the program starts, so this restarts the program
// once (execv of /proc/self/exe) with them unless the user chose them. Call it first in main;
// it returns when no restart happened.
// - OpenMP waits: LibTorch's OpenMP threads spin-wait between parallel regions; libgomp's
//   default (300,000 spins, or forever with OMP_WAIT_POLICY=active) makes training 2.4x slower
//   on a machine busy with anything else, and starves a GUI thread (docs/benchmarks.md). Kept
//   when OMP_WAIT_POLICY or GOMP_SPINCOUNT is set.
// - malloc's transparent huge pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1): the activations,
//   weights and GEMM buffers come in 2 MiB pages, ~40x fewer page faults and TLB misses in a
//   training step (docs/benchmarks.md). Kept when GLIBC_TUNABLES names glibc.malloc.hugetlb.
enum class OpenMpWaits {
    Passive,   // sleep at once: the studio, whose GUI thread must stay responsive
    ShortSpin  // spin 100,000 times, then sleep: as fast as spinning on an idle machine
};
void restartWithRuntimeSettings(char *argv[], OpenMpWaits waits);
// Whether this process's malloc hands out transparent huge pages: GLIBC_TUNABLES sets
// glibc.malloc.hugetlb to a non-zero value and the kernel's THP mode is not "never".
bool mallocHugePages();
// "LibTorch 1.13.1, 2 threads, CPU" and the like, for logs and `info`.
std::string runtimeDescription();

} // namespace ft
