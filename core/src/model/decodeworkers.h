// A small thread pool for the single-token decoding path. A job's range is cut into chunks that
// threads claim one at a time; the caller works too and waits only for chunks already claimed,
// never for a helper that has not started. A fork-join pool (OpenMP, LibTorch's at::parallel_for)
// hands each thread its share and waits at a barrier for all of them, so a helper the OS has
// descheduled (another process on the core) stalls every one of the ~120 gemvs of a token: that
// made GGUF decoding collapse on a loaded machine (issue 17). Here its share is simply done by
// the others. Jobs never nest: a call made while the pool is busy (another thread's job, or from
// inside a chunk) runs inline on the calling thread.
#pragma once

#include <cstdint>

namespace ft::decodeworkers {

using ChunkFunction = void (*)(void *context, int64_t begin, int64_t end);

// Calls fn(context, begin, end) over [0, n) in chunks of at least `grain` items.
void run(int64_t n, int64_t grain, ChunkFunction fn, void *context);

template <typename F>
void parallelFor(int64_t n, int64_t grain, const F &f)
{
    run(n, grain,
        [](void *context, int64_t begin, int64_t end) { (*static_cast<const F *>(context))(begin, end); },
        const_cast<F *>(&f));
}

} // namespace ft::decodeworkers
