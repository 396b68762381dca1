// Process-wide engine set-up.
#pragma once

#include <string>

namespace ft {

// Sets LibTorch's intra-op threads to the physical core count (Debian's build starts with 1).
// threads <= 0 means "physical cores". Returns the count in use. Also tells malloc to keep
// freed memory for reuse (training re-allocates the same activations every micro-batch).
int initRuntime(int threads = 0);
// LibTorch's OpenMP threads spin-wait between parallel regions; libgomp's default (300,000
// spins, or forever with OMP_WAIT_POLICY=active) makes training 2.4x slower on a machine busy
// with anything else, and starves a GUI thread (docs/benchmarks.md). libgomp reads its settings
// once, when it loads, so this restarts the program once (execv of /proc/self/exe) with
// bounded waits, unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT. Call it first in main;
// it returns when no restart happened.
enum class OpenMpWaits {
    Passive,   // sleep at once: the studio, whose GUI thread must stay responsive
    ShortSpin  // spin 100,000 times, then sleep: as fast as spinning on an idle machine
};
void restartWithBoundedOpenMpWaits(char *argv[], OpenMpWaits waits);
// "LibTorch 1.13.1, 2 threads, CPU" and the like, for logs and `info`.
std::string runtimeDescription();

} // namespace ft
