#include "ft/modeldevice.h"

#include "ft/error.h"
#include "ft/model.h"
#include "model/modelimpl.h"
#include "train/devicemove.h"
#include "train/runenvironment.h"

#include <torch/torch.h>

namespace ft {

std::string moveModelTo(Model &model, const std::string &device)
{
    if (device != "auto" && device != "cpu" && device != "cuda")
        throwBadInput("--device must be auto, cpu or cuda (got \"" + device + "\")");
    std::string problem;
    const std::string resolved = resolveDevice(device, problem);
    if (!problem.empty())
        throwBadInput(problem);
    if (resolved == "cuda")
        moveWeightsTo(model.impl().weights, torch::Device(torch::kCUDA));
    return resolved;
}

} // namespace ft
