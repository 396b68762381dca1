// Process-wide engine set-up.
#pragma once

#include <string>

namespace ft {

// Sets LibTorch's intra-op threads to the physical core count (Debian's build starts with 1).
// threads <= 0 means "physical cores". Returns the count in use.
int initRuntime(int threads = 0);
// "LibTorch 1.13.1, 2 threads, CPU" and the like, for logs and `info`.
std::string runtimeDescription();

} // namespace ft
