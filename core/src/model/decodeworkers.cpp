#include "model/decodeworkers.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace ft::decodeworkers {
namespace {

void cpuRelax()
{
#if defined(__x86_64__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

// The job word: generation (24 bits) | chunk count (20 bits) | next unclaimed chunk (20 bits).
// One compare-and-swap claims a chunk of exactly the job it was read from, so a helper that
// wakes late can never claim a chunk of the next job with the previous job's function.
constexpr int kIndexBits = 20;
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr int64_t kMaxChunks = 64;  // per job: enough to share out, few claims on one line

uint64_t generationOf(uint64_t word) { return word >> (2 * kIndexBits); }
uint64_t chunksOf(uint64_t word) { return (word >> kIndexBits) & kIndexMask; }
uint64_t nextOf(uint64_t word) { return word & kIndexMask; }

// How long a thread spins before it sleeps, for the next job (a helper) or for the helpers'
// last chunks (the caller): a token's gemvs come a few microseconds apart, so on an idle machine
// the pool never sleeps within a token. Longer spins make the threads CPU hogs that the
// scheduler puts behind everything else on a loaded machine, where sleeping and being woken
// wins (OpenMP's passive policy was faster there than any spinning). FT_DECODE_SPIN_US
// overrides it for measurements.
std::chrono::microseconds spinTime()
{
    static const std::chrono::microseconds time = [] {
        const char *value = std::getenv("FT_DECODE_SPIN_US");
        return std::chrono::microseconds(value ? std::atol(value) : 50);
    }();
    return time;
}

class Pool
{
public:
    explicit Pool(int helpers)
    {
        for (int i = 0; i < helpers; ++i)
            std::thread([this] { helperLoop(); }).detach();
        m_helpers = helpers;
    }

    void run(int64_t n, int64_t grain, ChunkFunction fn, void *context)
    {
        const int64_t chunk = std::max({grain, int64_t{1}, (n + kMaxChunks - 1) / kMaxChunks});
        const int64_t chunks = (n + chunk - 1) / chunk;
        if (m_helpers == 0 || chunks <= 1 || !m_busy.try_lock()) {
            fn(context, 0, n);
            return;
        }
        m_fn = fn;
        m_context = context;
        m_n = n;
        m_chunk = chunk;
        m_done.store(0, std::memory_order_relaxed);
        m_generation = (m_generation + 1) & ((uint64_t{1} << 24) - 1);
        const uint64_t word = (m_generation << (2 * kIndexBits)) | (uint64_t(chunks) << kIndexBits);
        m_word.store(word, std::memory_order_seq_cst);
        if (m_sleepers.load(std::memory_order_seq_cst) > 0) {
            std::lock_guard<std::mutex> lock(m_sleepLock);
            m_wake.notify_all();
        }
        workOn(word);
        // Only chunks a helper has claimed remain: spin a little, then sleep until the helper
        // that finishes the last one wakes this thread.
        const auto spinUntil = std::chrono::steady_clock::now() + spinTime();
        for (int spins = 0; m_done.load(std::memory_order_acquire) < chunks; ++spins) {
            cpuRelax();
            if ((spins & 63) == 63 && std::chrono::steady_clock::now() > spinUntil) {
                std::unique_lock<std::mutex> lock(m_doneLock);
                m_callerWaiting.store(true, std::memory_order_seq_cst);
                while (m_done.load(std::memory_order_seq_cst) < chunks)
                    m_doneWake.wait(lock);
                m_callerWaiting.store(false, std::memory_order_relaxed);
            }
        }
        m_busy.unlock();
    }

private:
    // Claims and runs chunks of the job `word` was read from until none is left.
    void workOn(uint64_t word)
    {
        const uint64_t generation = generationOf(word);
        for (;;) {
            if (generationOf(word) != generation || nextOf(word) >= chunksOf(word))
                return;
            if (!m_word.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                              std::memory_order_acquire))
                continue;
            const int64_t begin = int64_t(nextOf(word)) * m_chunk;
            m_fn(m_context, begin, std::min(m_n, begin + m_chunk));
            if (m_done.fetch_add(1, std::memory_order_seq_cst) + 1 == int64_t(chunksOf(word)) &&
                m_callerWaiting.load(std::memory_order_seq_cst)) {
                std::lock_guard<std::mutex> lock(m_doneLock);
                m_doneWake.notify_one();
            }
            word = m_word.load(std::memory_order_acquire);
        }
    }

    void helperLoop()
    {
        uint64_t seen = generationOf(m_word.load(std::memory_order_acquire));
        for (;;) {
            uint64_t word = m_word.load(std::memory_order_acquire);
            auto spinUntil = std::chrono::steady_clock::now() + spinTime();
            for (int spins = 0; generationOf(word) == seen; ++spins) {
                cpuRelax();
                if ((spins & 63) == 63 && std::chrono::steady_clock::now() > spinUntil) {
                    std::unique_lock<std::mutex> lock(m_sleepLock);
                    m_sleepers.fetch_add(1, std::memory_order_seq_cst);
                    while (generationOf(m_word.load(std::memory_order_seq_cst)) == seen)
                        m_wake.wait(lock);
                    m_sleepers.fetch_sub(1, std::memory_order_seq_cst);
                    spinUntil = std::chrono::steady_clock::now() + spinTime();
                }
                word = m_word.load(std::memory_order_acquire);
            }
            seen = generationOf(word);
            workOn(word);
        }
    }

    int m_helpers = 0;
    std::mutex m_busy;  // one job at a time
    uint64_t m_generation = 0;
    std::atomic<uint64_t> m_word{0};
    std::atomic<int64_t> m_done{0};
    // The job; written before m_word publishes it, read by a helper only after it claimed one of
    // its chunks (the caller rewrites them only once every claimed chunk is done).
    ChunkFunction m_fn = nullptr;
    void *m_context = nullptr;
    int64_t m_n = 0, m_chunk = 1;
    std::mutex m_sleepLock;  // helpers asleep, waiting for a job
    std::condition_variable m_wake;
    std::atomic<int> m_sleepers{0};
    std::mutex m_doneLock;  // the caller asleep, waiting for the last claimed chunks
    std::condition_variable m_doneWake;
    std::atomic<bool> m_callerWaiting{false};
};

} // namespace

void run(int64_t n, int64_t grain, ChunkFunction fn, void *context)
{
    if (n <= 0)
        return;
    // As many threads as LibTorch uses (the runtime's thread count); helpers live as long as the
    // process (never destroyed: they may be asleep in the pool at exit).
    static Pool *pool = new Pool(std::max(0, at::get_num_threads() - 1));
    pool->run(n, grain, fn, context);
}

} // namespace ft::decodeworkers
