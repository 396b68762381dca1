#include "train/adamwfactory.h"

#include "ft/error.h"
#include "train/fusedadamw.h"

#include <torch/torch.h>

namespace ft {

bool AdamWFactory::decays(const std::string &name, const torch::Tensor &tensor)
{
    return tensor.dim() >= 2 && name.find("bias") == std::string::npos;
}

namespace {

torch::optim::AdamWOptions adamwOptions(const AdamWSettings &settings, double weightDecay)
{
    return torch::optim::AdamWOptions(settings.lr)
        .betas(std::make_tuple(settings.beta1, settings.beta2))
        .eps(settings.eps)
        .weight_decay(weightDecay)
        .amsgrad(false);
}

std::vector<torch::optim::OptimizerParamGroup> paramGroups(const NamedTensors &parameters,
                                                           const AdamWSettings &settings)
{
    std::vector<torch::Tensor> decayed, plain;
    for (const auto &[name, tensor] : parameters) {
        if (!tensor.requires_grad())
            throw Error(ErrorKind::Internal, "parameter " + name + " does not require grad");
        (AdamWFactory::decays(name, tensor) ? decayed : plain).push_back(tensor);
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!decayed.empty())
        groups.emplace_back(decayed, std::make_unique<torch::optim::AdamWOptions>(
                                         adamwOptions(settings, settings.weightDecay)));
    if (!plain.empty())
        groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(
                                       adamwOptions(settings, 0.0)));
    return groups;
}

} // namespace

int AdamWFactory::addParameters(torch::optim::AdamW &optimizer, const NamedTensors &parameters,
                                const AdamWSettings &settings)
{
    auto groups = paramGroups(parameters, settings);
    for (const auto &group : groups)
        optimizer.add_param_group(group);
    return static_cast<int>(groups.size());
}

std::unique_ptr<torch::optim::AdamW> AdamWFactory::create(const NamedTensors &parameters,
                                                          const AdamWSettings &settings)
{
    if (parameters.empty())
        throwBadInput("there is nothing to train (no trainable parameters)");
    return std::make_unique<FusedAdamW>(paramGroups(parameters, settings),
                                        adamwOptions(settings, settings.weightDecay));
}


} // namespace ft
