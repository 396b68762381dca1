#include "dist/zerostage1.h"

#include "dist/dataparallel.h"
#include "dist/gradientbuckets.h"

#include <torch/torch.h>

#include <memory>

namespace ft {

namespace {

constexpr int64_t kMessageBytes = 25ll << 20;

} // namespace

std::vector<int> zeroOwners(const std::vector<int64_t> &numels, int worldSize)
{
    std::vector<int64_t> load(static_cast<size_t>(std::max(worldSize, 1)), 0);
    std::vector<int> owners;
    for (int64_t n : numels) {
        int owner = 0;
        for (int r = 1; r < static_cast<int>(load.size()); ++r)
            if (load[static_cast<size_t>(r)] < load[static_cast<size_t>(owner)])
                owner = r;
        load[static_cast<size_t>(owner)] += n;
        owners.push_back(owner);
    }
    return owners;
}

std::vector<torch::Tensor> ZeroStage1::parameters(torch::optim::AdamW &optimizer) const
{
    std::vector<torch::Tensor> all;
    for (const auto &group : optimizer.param_groups())
        for (const auto &p : group.params())
            all.push_back(p);
    return all;
}

std::vector<int> ZeroStage1::owners(const std::vector<torch::Tensor> &parameters) const
{
    std::vector<int64_t> numels;
    for (const auto &p : parameters)
        numels.push_back(p.numel());
    return zeroOwners(numels, m_group.worldSize());
}

void ZeroStage1::dropOthersGradients(torch::optim::AdamW &optimizer) const
{
    const std::vector<torch::Tensor> all = parameters(optimizer);
    const std::vector<int> owner = owners(all);
    for (size_t i = 0; i < all.size(); ++i)
        if (owner[i] != m_group.rank()) {
            torch::Tensor p = all[i];
            p.mutable_grad() = torch::Tensor();
        }
}

void ZeroStage1::shareUpdatedParameters(torch::optim::AdamW &optimizer)
{
    torch::NoGradGuard noGrad;
    const std::vector<torch::Tensor> all = parameters(optimizer);
    const std::vector<int> owner = owners(all);
    const std::string what = "sharing the updated parameters (zero_stage 1)";
    for (int from = 0; from < m_group.worldSize(); ++from) {
        std::vector<torch::Tensor> mine;
        std::vector<BucketItem> items;
        for (size_t i = 0; i < all.size(); ++i)
            if (owner[i] == from) {
                mine.push_back(all[i]);
                items.push_back({all[i].numel() * static_cast<int64_t>(all[i].element_size()),
                                 static_cast<int>(all[i].scalar_type())});
            }
        for (const auto &bucket : gradientBuckets(items, kMessageBytes)) {
            std::vector<torch::Tensor> pieces;
            int64_t total = 0;
            for (size_t m : bucket) {
                pieces.push_back(mine[m].detach().reshape({-1}));
                total += mine[m].numel();
            }
            std::vector<torch::Tensor> flat{from == m_group.rank() ? torch::cat(pieces)
                                                                  : torch::empty({total}, mine[bucket[0]].options())};
            m_group.wait(m_group.startBroadcast(flat, from, what), what);
            if (from == m_group.rank())
                continue;
            int64_t offset = 0;
            for (size_t m : bucket) {
                mine[m].detach().copy_(flat.front().narrow(0, offset, mine[m].numel()).view_as(mine[m]));
                offset += mine[m].numel();
            }
        }
    }
}

void ZeroStage1::gatherToLead(torch::optim::AdamW &optimizer)
{
    torch::NoGradGuard noGrad;
    const std::vector<torch::Tensor> all = parameters(optimizer);
    const std::vector<int> owner = owners(all);
    const std::string what = "gathering the optimizer state for a checkpoint (zero_stage 1)";
    auto &state = optimizer.state();
    // Per parameter, in doubles (exact for float32): [has state, step, exp_avg..., exp_avg_sq...].
    for (int from = 1; from < m_group.worldSize(); ++from) {
        if (m_group.rank() != 0 && m_group.rank() != from)
            continue;
        std::vector<size_t> theirs;
        std::vector<BucketItem> items;
        for (size_t i = 0; i < all.size(); ++i)
            if (owner[i] == from) {
                theirs.push_back(i);
                items.push_back({(2 + 2 * all[i].numel()) * 8, 0});
            }
        int tag = 0;
        for (const auto &bucket : gradientBuckets(items, kMessageBytes)) {
            int64_t total = 0;
            for (size_t m : bucket)
                total += 2 + 2 * all[theirs[m]].numel();
            if (m_group.rank() == from) {
                std::vector<torch::Tensor> pieces;
                for (size_t m : bucket) {
                    const torch::Tensor &p = all[theirs[m]];
                    auto it = state.find(optimizerStateKey(p));
                    if (it == state.end()) {
                        pieces.push_back(torch::zeros({2 + 2 * p.numel()}, torch::kDouble));
                        continue;
                    }
                    auto &s = static_cast<torch::optim::AdamWParamState &>(*it->second);
                    pieces.push_back(torch::tensor({1.0, static_cast<double>(s.step())}, torch::kDouble));
                    pieces.push_back(s.exp_avg().reshape({-1}).to(torch::kDouble));
                    pieces.push_back(s.exp_avg_sq().reshape({-1}).to(torch::kDouble));
                }
                std::vector<torch::Tensor> flat{torch::cat(pieces)};
                m_group.wait(m_group.startSend(flat, 0, tag++, what), what);
                continue;
            }
            std::vector<torch::Tensor> flat{torch::empty({total}, torch::kDouble)};
            m_group.wait(m_group.startReceive(flat, from, tag++, what), what);
            int64_t offset = 0;
            for (size_t m : bucket) {
                const torch::Tensor &p = all[theirs[m]];
                const torch::Tensor piece = flat.front().narrow(0, offset, 2 + 2 * p.numel());
                offset += piece.numel();
                if (piece[0].item<double>() == 0.0)
                    continue;
                auto s = std::make_unique<torch::optim::AdamWParamState>();
                s->step(static_cast<int64_t>(piece[1].item<double>()));
                s->exp_avg(piece.narrow(0, 2, p.numel()).to(p.dtype()).view_as(p).clone());
                s->exp_avg_sq(piece.narrow(0, 2 + p.numel(), p.numel()).to(p.dtype()).view_as(p).clone());
                state[optimizerStateKey(p)] = std::move(s);
                m_gathered.push_back(optimizerStateKey(p));
            }
        }
    }
}

void ZeroStage1::releaseGathered(torch::optim::AdamW &optimizer)
{
    for (const OptimizerStateKey &key : m_gathered)
        optimizer.state().erase(key);
    m_gathered.clear();
}

void ZeroStage1::dropOthersState(torch::optim::AdamW &optimizer) const
{
    const std::vector<torch::Tensor> all = parameters(optimizer);
    const std::vector<int> owner = owners(all);
    for (size_t i = 0; i < all.size(); ++i)
        if (owner[i] != m_group.rank())
            optimizer.state().erase(optimizerStateKey(all[i]));
}

int64_t ZeroStage1::stateElements(torch::optim::AdamW &optimizer)
{
    int64_t elements = 0;
    for (const auto &[key, entry] : optimizer.state()) {
        const auto &s = static_cast<const torch::optim::AdamWParamState &>(*entry);
        elements += s.exp_avg().numel() + s.exp_avg_sq().numel();
    }
    return elements;
}

} // namespace ft
