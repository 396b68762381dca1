// The gradient all-reduce of one optimiser step, overlapped with its last backward pass (the
// idea of DDP's Reducer, torch/csrc/distributed/c10d/reducer.cpp): the parameters are cut into
// buckets in reverse order (the order backward produces their gradients), a post-hook on each
// parameter's gradient accumulator marks it ready, and a bucket's sum starts as soon as all its
// members are ready and every earlier bucket has started, so every rank starts the same
// collectives in the same order. `finish` starts what is left (parameters that got no gradient
// here), waits for all, and writes the sums back into the gradients.
//
// Armed only around the step's last micro-batch (DDP's no_sync for the others): construct it
// just before that backward pass. Without a backward pass, `finish` sums everything at once.
#pragma once

#include <torch/csrc/autograd/variable.h>
#include <torch/csrc/distributed/c10d/Work.hpp>
#include <torch/types.h>

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace torch::autograd {
struct Node;
}

namespace ft {

class DataParallel;

class OverlappedGradientSum
{
public:
    OverlappedGradientSum(DataParallel &group, std::vector<torch::Tensor> parameters, int64_t bucketBytes);
    ~OverlappedGradientSum();  // removes the hooks
    OverlappedGradientSum(const OverlappedGradientSum &) = delete;
    OverlappedGradientSum &operator=(const OverlappedGradientSum &) = delete;

    // Every gradient replaced by its sum over the ranks. A parameter with no gradient on any rank
    // keeps none (the optimizer skips it, as one process would); one with a gradient elsewhere
    // but not here counts as zeros.
    void finish();

    // How many buckets started during the backward pass (before finish): for tests.
    size_t bucketsStartedEarly() const { return m_startedEarly; }

private:
    struct Bucket
    {
        std::vector<size_t> members;  // parameter indices
        size_t ready = 0;
        std::vector<torch::Tensor> flat;  // (sum of the members' numel,)
        c10::intrusive_ptr<c10d::Work> work;
    };
    struct Hook
    {
        // shared_ptr in LibTorch 1.x, intrusive_ptr in 2.x: whatever grad_accumulator returns.
        decltype(torch::autograd::impl::grad_accumulator(std::declval<const torch::Tensor &>())) accumulator;
        uintptr_t key = 0;
    };

    void onGradientReady(size_t parameter);
    void startReadyBuckets(bool all);
    void start(Bucket &bucket);

    DataParallel &m_group;
    std::vector<torch::Tensor> m_parameters;
    std::vector<Bucket> m_buckets;
    std::vector<size_t> m_bucketOf;  // per parameter
    std::vector<bool> m_ready;       // per parameter
    size_t m_nextBucket = 0;
    size_t m_startedEarly = 0;
    bool m_finished = false;
    std::vector<Hook> m_hooks;
    std::mutex m_mutex;
    std::exception_ptr m_hookError;  // a failure inside backward, rethrown by finish
};

} // namespace ft
