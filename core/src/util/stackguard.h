// How much of this thread's stack is left. Recursive readers and interpreters of untrusted input
// (the chat template's parser and evaluator) stop with a clear error before they overflow it,
// whatever the thread's stack size and the build's frame sizes: a sanitizer build uses several
// times the stack per call, so a depth limit alone holds in one build and not in another.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ft {

class StackGuard
{
public:
    // headroom: what must stay free below the deepest frame allowed (for building the error
    // message and unwinding).
    explicit StackGuard(std::size_t headroom = 256 * 1024);
    // The calling thread's guard with the default headroom, made once per thread: finding the
    // bounds of the main thread's stack reads /proc/self/maps, far too slow to do per render.
    static const StackGuard &forThisThread();

    bool exhausted() const
    {
        char here = 0;
        return reinterpret_cast<std::uintptr_t>(&here) < m_limit;
    }

private:
    std::uintptr_t m_limit = 0; // the lowest address the stack may reach
};

} // namespace ft
