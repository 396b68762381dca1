#include "util/stackguard.h"

#include <pthread.h>

namespace ft {

StackGuard::StackGuard(std::size_t headroom)
{
    char here = 0;
    const auto current = reinterpret_cast<std::uintptr_t>(&here);
    // Where the bounds are unknown, assume a megabyte below this frame (any thread has that).
    std::uintptr_t lowest = current > (1u << 20) ? current - (1u << 20) : 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *base = nullptr;
        std::size_t size = 0;
        if (pthread_attr_getstack(&attr, &base, &size) == 0 && base != nullptr) {
            const auto bottom = reinterpret_cast<std::uintptr_t>(base);
            if (bottom < current && current <= bottom + size) // the stack grows down to base
                lowest = bottom;
        }
        pthread_attr_destroy(&attr);
    }
    m_limit = lowest + headroom;
}

const StackGuard &StackGuard::forThisThread()
{
    static thread_local const StackGuard guard;
    return guard;
}

} // namespace ft
