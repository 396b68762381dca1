// FT_CLONES: a function compiled for AVX-512, AVX2 and the baseline; the loader picks one.
// Not under ThreadSanitizer: the loader runs the clones' resolvers before TSan's runtime is up,
// and the instrumented resolver crashes the process at start.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define FT_NO_CLONES 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FT_NO_CLONES 1
#endif
#endif
#ifdef FT_NO_CLONES
#define FT_CLONES
#else
#define FT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
