#include "dist/overlappedgradientsum.h"

#include "dist/dataparallel.h"
#include "dist/gradientbuckets.h"
#include "ft/error.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

namespace ft {

namespace {
const char *kWhat = "summing the gradients";
}

OverlappedGradientSum::OverlappedGradientSum(DataParallel &group, std::vector<torch::Tensor> parameters,
                                             int64_t bucketBytes)
    : m_group(group), m_parameters(std::move(parameters)), m_bucketOf(m_parameters.size()),
      m_ready(m_parameters.size(), false)
{
    // Reverse parameter order: the last layers' gradients are ready first.
    std::vector<size_t> order;
    std::vector<BucketItem> items;
    for (size_t i = m_parameters.size(); i-- > 0;) {
        const torch::Tensor &p = m_parameters[i];
        order.push_back(i);
        items.push_back({p.numel() * static_cast<int64_t>(p.element_size()), static_cast<int>(p.scalar_type())});
    }
    for (const auto &positions : gradientBuckets(items, bucketBytes)) {
        Bucket bucket;
        for (size_t position : positions) {
            bucket.members.push_back(order[position]);
            m_bucketOf[order[position]] = m_buckets.size();
        }
        m_buckets.push_back(std::move(bucket));
    }
    // A post-hook runs after AccumulateGrad has written the parameter's .grad.
    for (size_t i = 0; i < m_parameters.size(); ++i) {
        const torch::Tensor &p = m_parameters[i];
        if (!p.requires_grad() || !p.is_leaf())
            continue;
        auto accumulator = torch::autograd::impl::grad_accumulator(p);
        if (!accumulator)
            continue;
        const uintptr_t key = accumulator->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
            [this, i](const torch::autograd::variable_list &outputs, const torch::autograd::variable_list &) {
                onGradientReady(i);
                return outputs;
            }));
        m_hooks.push_back({std::move(accumulator), key});
    }
}

OverlappedGradientSum::~OverlappedGradientSum()
{
    for (Hook &hook : m_hooks)
        hook.accumulator->del_post_hook(hook.key);
    // Started collectives must end before their buffers go (an exception left finish early).
    for (Bucket &bucket : m_buckets)
        if (bucket.work) {
            try {
                bucket.work->wait();
            } catch (...) {
            }
        }
}

void OverlappedGradientSum::onGradientReady(size_t parameter)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_finished || m_hookError)
        return;
    if (m_ready[parameter]) {
        // A second accumulation in one backward pass (a nested backward): its bucket may have
        // started with half the gradient. No code path here does that; say so if one appears.
        if (m_bucketOf[parameter] < m_nextBucket)
            m_hookError = std::make_exception_ptr(
                Error(ErrorKind::Internal, "data parallel: parameter " + std::to_string(parameter) +
                                               " received its gradient twice in one backward pass, after its "
                                               "bucket's sum had started"));
        return;
    }
    m_ready[parameter] = true;
    ++m_buckets[m_bucketOf[parameter]].ready;
    try {
        const size_t before = m_nextBucket;
        startReadyBuckets(false);
        m_startedEarly += m_nextBucket - before;
    } catch (...) {
        m_hookError = std::current_exception();  // thrown from finish, not through autograd
    }
}

void OverlappedGradientSum::startReadyBuckets(bool all)
{
    while (m_nextBucket < m_buckets.size() &&
           (all || m_buckets[m_nextBucket].ready == m_buckets[m_nextBucket].members.size()))
        start(m_buckets[m_nextBucket++]);
}

void OverlappedGradientSum::start(Bucket &bucket)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> pieces;
    for (size_t m : bucket.members) {
        const torch::Tensor &p = m_parameters[m];
        pieces.push_back(p.grad().defined() ? p.grad().reshape({-1}) : torch::zeros({p.numel()}, p.options()));
    }
    bucket.flat = {torch::cat(pieces)};
    bucket.work = m_group.startSum(bucket.flat, kWhat);
}

void OverlappedGradientSum::finish()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_finished = true;
    if (m_hookError)
        std::rethrow_exception(m_hookError);
    torch::NoGradGuard noGrad;
    startReadyBuckets(true);
    // Which parameters have a gradient on some rank (after the buckets: the same order everywhere).
    std::vector<double> present(m_parameters.size(), 0.0);
    for (size_t i = 0; i < m_parameters.size(); ++i)
        present[i] = m_parameters[i].grad().defined() ? 1.0 : 0.0;
    std::vector<torch::Tensor> presentOnRanks{torch::tensor(present, torch::kDouble)};
    m_group.wait(m_group.startSum(presentOnRanks, kWhat), kWhat);
    const torch::Tensor anywhere = presentOnRanks.front().contiguous();
    const double *gradientSomewhere = anywhere.data_ptr<double>();
    for (Bucket &bucket : m_buckets) {
        m_group.wait(bucket.work, kWhat);
        bucket.work.reset();
        int64_t offset = 0;
        for (size_t m : bucket.members) {
            torch::Tensor p = m_parameters[m];
            const torch::Tensor sum = bucket.flat.front().narrow(0, offset, p.numel()).view_as(p);
            offset += p.numel();
            if (gradientSomewhere[m] == 0.0)
                continue;
            if (p.grad().defined())
                p.mutable_grad().copy_(sum);
            else
                p.mutable_grad() = sum.clone();
        }
        bucket.flat.clear();
    }
}

} // namespace ft
