// Data parallelism over PyTorch's c10d: the process group this process joined (Gloo on the CPU),
// and the few collectives the training loop needs. Every rank holds the same weights and the
// same optimizer; each takes its own share of a step's micro-batches, and the gradients are
// summed across ranks before the update, so that all ranks step alike.
//
// The ranks' losses are each divided by the loss tokens of the whole (global) step, as
// transformers does with num_items_in_batch, so the sum of their gradients is exactly the
// gradient one process would compute over the same global batch (DDP averages instead, over
// losses scaled by the world size: the same numbers).
//
// A collective that fails (a rank died, or did not answer within the timeout) throws
// ft::Error(Internal) with a message that says so.
#pragma once

#include "ft/torchrun.h"

#include <torch/version.h>
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif
#include <torch/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ft {

class DataParallel
{
public:
    // Joins the group through the store at MASTER_ADDR:MASTER_PORT (torchrun's agent's store,
    // else one rank 0 hosts), waiting at most `timeout` for the others and for every later
    // collective. `device`: "cpu" uses Gloo; "cuda" would use NCCL, which this LibTorch build
    // lacks (BadInput saying so).
    // `groupName`: the same on every rank, and new for each group the ranks form together.
    DataParallel(const TorchrunLaunch &launch, const std::string &device, std::chrono::milliseconds timeout,
                 const std::string &groupName);
    ~DataParallel();

    int rank() const { return m_rank; }
    int worldSize() const { return m_worldSize; }
    std::chrono::milliseconds timeout() const { return m_timeout; }

    // The sum of each value over all ranks.
    std::vector<double> sumOverRanks(const std::vector<double> &values);
    // Replaces every parameter's gradient by its sum over the ranks, in buckets of at most
    // `bucketBytes`. A parameter with no gradient on any rank keeps none (the optimizer skips
    // it, as one process would); one with a gradient elsewhere but not here counts as zeros.
    void sumGradients(const std::vector<torch::Tensor> &parameters, int64_t bucketBytes = kBucketBytes);
    // Rank 0's values of the tensors, copied into every rank's (in place, no autograd).
    void broadcastFromLead(const std::vector<torch::Tensor> &tensors);
    void barrier();

    // The asynchronous pieces (for the overlapped gradient sum and ZeRO): each starts one
    // collective on every rank alike; `wait` ends it. `what` names it in the error message.
    c10::intrusive_ptr<c10d::Work> startSum(std::vector<torch::Tensor> &tensors, const std::string &what);
    c10::intrusive_ptr<c10d::Work> startBroadcast(std::vector<torch::Tensor> &tensors, int rootRank,
                                                  const std::string &what);
    // Point to point (only the two ranks named call these).
    c10::intrusive_ptr<c10d::Work> startSend(std::vector<torch::Tensor> &tensors, int toRank, int tag,
                                             const std::string &what);
    c10::intrusive_ptr<c10d::Work> startReceive(std::vector<torch::Tensor> &tensors, int fromRank, int tag,
                                                const std::string &what);
    void wait(const c10::intrusive_ptr<c10d::Work> &work, const std::string &what);

    static constexpr int64_t kBucketBytes = 25ll << 20;  // DDP's default bucket_cap_mb

    // FT_DIST_TIMEOUT_S (seconds), else 60 s.
    static std::chrono::milliseconds timeoutFromEnvironment();

private:
    [[noreturn]] void fail(const std::string &what, const std::exception &e) const;

    int m_rank = 0;
    int m_worldSize = 1;
    std::chrono::milliseconds m_timeout;
#if TORCH_VERSION_MAJOR >= 2
    // LibTorch 2 splits a process group from its backends; ProcessGroupGloo is a Backend, and
    // the collectives here are its own.
    c10::intrusive_ptr<c10d::Backend> m_group;
#else
    c10::intrusive_ptr<c10d::ProcessGroup> m_group;
#endif
};

} // namespace ft
