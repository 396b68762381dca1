#include "model/segmentattentionplan.h"

#include <algorithm>

namespace ft::attentionplan {
namespace {

// Chunks per thread: enough that the largest-first order evens the threads out.
constexpr int64_t kChunksPerThread = 8;

int64_t blockCost(int64_t T, int64_t b) { return blockRows(T, b) * blockKeys(T, b); }

} // namespace

Plan::Plan(const std::vector<int64_t> &lengths, const std::vector<int64_t> &forks, int64_t heads,
           int64_t kvHeads, int64_t threads, int64_t keepUpTo)
{
    int64_t start = 0, total = 0;
    for (size_t s = 0; s < lengths.size(); ++s) {
        Segment seg;
        seg.start = start;
        seg.prompt = forks.empty() ? 0 : forks[2 * s];
        const int64_t firstAnswer = forks.empty() ? 0 : forks[2 * s + 1];
        seg.main = firstAnswer > 0 ? seg.prompt + firstAnswer : lengths[s];
        seg.branch = lengths[s] - seg.main;
        // Forked segments (preference pairs, whose memory target is tight) never keep theirs.
        seg.keep = forks.empty() && seg.main <= keepUpTo;
        if (seg.keep) {
            seg.probOffset = probFloats;
            probFloats += heads * triangleFloats(seg.main);
        }
        total += triangleFloats(seg.main) + seg.branch * (seg.prompt + seg.branch);
        segments.push_back(seg);
        start += lengths[s];
    }
    const int64_t target = std::max<int64_t>(1, total * kvHeads / std::max<int64_t>(1, threads * kChunksPerThread));
    for (size_t s = 0; s < segments.size(); ++s) {
        const Segment &seg = segments[s];
        for (int64_t g = 0; g < kvHeads; ++g) {
            std::vector<Task> chunks;
            Task chunk;
            chunk.segment = static_cast<int64_t>(s);
            chunk.kvHead = g;
            for (int64_t b = 0; b < blockCount(seg.main); ++b) {
                chunk.endBlock = b + 1;
                chunk.cost += blockCost(seg.main, b);
                if (chunk.cost >= target || b + 1 == blockCount(seg.main)) {
                    chunk.keyRows = blockKeys(seg.main, b);
                    chunks.push_back(chunk);
                    chunk.firstBlock = b + 1;
                    chunk.cost = 0;
                }
            }
            if (chunks.size() > 1)
                for (Task &c : chunks) {
                    c.partial = partialRows;
                    partialRows += c.keyRows;
                }
            tasks.insert(tasks.end(), chunks.begin(), chunks.end());
            if (seg.branch > 0) {
                Task branch;
                branch.segment = static_cast<int64_t>(s);
                branch.kvHead = g;
                branch.branch = true;
                branch.cost = seg.branch * (seg.prompt + seg.branch);
                branch.keyRows = seg.prompt + seg.branch;
                branch.partial = partialRows;
                partialRows += branch.keyRows;
                tasks.push_back(branch);
            }
        }
    }
    std::stable_sort(tasks.begin(), tasks.end(),
                     [](const Task &a, const Task &b) { return a.cost > b.cost; });
}

} // namespace ft::attentionplan
