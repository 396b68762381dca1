#include "train/adamwfactory.h"

#include "ft/error.h"

#include <torch/torch.h>

namespace ft {

bool AdamWFactory::decays(const std::string &name, const torch::Tensor &tensor)
{
    return tensor.dim() >= 2 && name.find("bias") == std::string::npos;
}

std::unique_ptr<torch::optim::AdamW> AdamWFactory::create(const NamedTensors &parameters,
                                                          const AdamWSettings &settings)
{
    if (parameters.empty())
        throwBadInput("there is nothing to train (no trainable parameters)");
    std::vector<torch::Tensor> decayed, plain;
    for (const auto &[name, tensor] : parameters) {
        if (!tensor.requires_grad())
            throw Error(ErrorKind::Internal, "parameter " + name + " does not require grad");
        (decays(name, tensor) ? decayed : plain).push_back(tensor);
    }
    auto options = [&](double weightDecay) {
        return torch::optim::AdamWOptions(settings.lr)
            .betas(std::make_tuple(settings.beta1, settings.beta2))
            .eps(settings.eps)
            .weight_decay(weightDecay)
            .amsgrad(false);
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    if (!decayed.empty())
        groups.emplace_back(decayed, std::make_unique<torch::optim::AdamWOptions>(
                                         options(settings.weightDecay)));
    if (!plain.empty())
        groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(options(0.0)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), options(settings.weightDecay));
}

} // namespace ft
