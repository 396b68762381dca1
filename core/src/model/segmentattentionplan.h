// How model/segmentattention.cpp splits one padding-free row's causal attention into tasks for
// LibTorch's threads. A long sequence alone in a row (batch 1 at cutoff 2048) has as few tasks as
// K/V heads if each (sequence, K/V head) is one: 3 tasks on 2 threads left a quarter of the
// attention's time on one core. So each sequence's 64-row causal blocks are cut into chunks of
// about equal work (the blocks' work grows with their last row), and the threads take the
// chunks largest first as they come free. A chunk of a cut sequence adds its keys' and values'
// gradients into its own buffer, summed after; an uncut one writes them in place.
#pragma once

#include <cstdint>
#include <vector>

namespace ft::attentionplan {

// Query rows per causal block: each block's GEMMs cover the keys up to its last row only.
constexpr int64_t kRowBlock = 64;

// Where the flash kernels do not run (model/flashattention.h: no AVX-512, or a head width other
// than 64), sequences up to this many tokens keep their probabilities for the backward pass;
// longer ones recompute them there block by block (one more q k^T GEMM and softmax), since the
// kept probabilities grow with the square of the length: 9 heads x 2,048^2 / 2 x 4 bytes x 30
// layers, 2.3 GB for one 2,048-token row of SmolLM2-135M against 0.14 GB for four of 512.
constexpr int64_t kKeepProbabilitiesUpTo = 512;

// Row blocks of a T-token sequence.
inline int64_t blockCount(int64_t T) { return (T + kRowBlock - 1) / kRowBlock; }

// Block b's first query row, rows, and keys (its last row + 1).
inline int64_t blockFirst(int64_t b) { return b * kRowBlock; }
inline int64_t blockRows(int64_t T, int64_t b) { return T - blockFirst(b) < kRowBlock ? T - blockFirst(b) : kRowBlock; }
inline int64_t blockKeys(int64_t T, int64_t b) { return blockFirst(b) + blockRows(T, b); }

// Where block b's probabilities start in a head's packed blocks (block b: rows x keys floats;
// every block before the last is full).
inline int64_t blockOffset(int64_t b) { return kRowBlock * kRowBlock * b * (b + 1) / 2; }

// Floats of a T-token sequence's packed blocks for one head.
inline int64_t triangleFloats(int64_t T) { return T == 0 ? 0 : blockOffset(blockCount(T) - 1) + blockRows(T, blockCount(T) - 1) * T; }

// One sequence of the row (a segment). A forked one (model/segmentfork.h) is
// [prompt | first answer | second answer]: `main` = prompt + first answer is a plain causal
// sequence, the `branch` second answer's queries see the prompt and themselves.
struct Segment
{
    int64_t start = 0, main = 0, prompt = 0, branch = 0;
    // The main part's probabilities kept for the backward pass: heads x triangleFloats(main)
    // floats from probOffset, K/V head by K/V head, each its G query heads' (G x rows, keys)
    // blocks in block order. A branch's are always recomputed.
    bool keep = false;
    int64_t probOffset = 0;
};

// Work on one K/V head's query heads: row blocks [firstBlock, endBlock) of a segment's main
// part, or (branch) its second answer.
struct Task
{
    int64_t segment = 0, kvHead = 0;
    int64_t firstBlock = 0, endBlock = 0;
    bool branch = false;
    int64_t cost = 0;
    // The gradients of its keys and values go to rows [partial, partial + keyRows) of the
    // partial buffers; -1: straight into dk and dv (the segment's only chunk).
    int64_t partial = -1;
    int64_t keyRows = 0;
};

struct Plan
{
    std::vector<Segment> segments;
    std::vector<Task> tasks;    // largest first
    int64_t probFloats = 0;     // kept probabilities, all segments and heads
    int64_t partialRows = 0;    // rows of each partial buffer (dk's and dv's)

    // segments: lengths adding up to the row; forks: empty or (prompt, first answer) per
    // segment (first answer 0: not forked); threads: how many take tasks; unforked sequences
    // up to keepUpTo tokens keep their probabilities (0: none, where the flash kernels run).
    Plan(const std::vector<int64_t> &lengths, const std::vector<int64_t> &forks, int64_t heads,
         int64_t kvHeads, int64_t threads, int64_t keepUpTo);
};

} // namespace ft::attentionplan
