#include "train/referencecache.h"

#include "model/decoder.h"

#include <torch/torch.h>

#include <vector>

namespace ft {

bool ReferenceCache::applies(const Decoder &decoder)
{
    for (const auto &named : decoder.weights().named)
        if (named.second.requires_grad())
            return false;
    return true;
}

PairRefs ReferenceCache::missing(const PairRefs &pairs) const
{
    PairRefs out;
    for (const PreferencePair *pair : pairs)
        if (m_logps.find(pair) == m_logps.end())
            out.push_back(pair);
    return out;
}

void ReferenceCache::store(const PairRefs &pairs, const torch::Tensor &chosen, const torch::Tensor &rejected)
{
    const torch::Tensor c = chosen.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    const torch::Tensor r = rejected.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    for (size_t i = 0; i < pairs.size(); ++i)
        m_logps[pairs[i]] = {c[static_cast<int64_t>(i)].item<double>(), r[static_cast<int64_t>(i)].item<double>()};
}

std::pair<torch::Tensor, torch::Tensor> ReferenceCache::lookup(const PairRefs &pairs, const torch::Tensor &like) const
{
    std::vector<double> chosen, rejected;
    for (const PreferencePair *pair : pairs) {
        const auto &[c, r] = m_logps.at(pair);
        chosen.push_back(c);
        rejected.push_back(r);
    }
    const auto tensorOf = [&](const std::vector<double> &v) {
        return torch::tensor(v, torch::kFloat64).to(like.device(), like.scalar_type());
    };
    return {tensorOf(chosen), tensorOf(rejected)};
}

} // namespace ft
