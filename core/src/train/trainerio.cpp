#include "train/trainerio.h"

#include "ft/error.h"
#include "io/safetensorsfile.h"

#include <torch/torch.h>

namespace ft {

void loadTensorsInto(const std::filesystem::path &file,
                     const std::vector<std::pair<std::string, torch::Tensor>> &parameters)
{
    SafetensorsFile source(file);
    torch::NoGradGuard noGrad;
    for (const auto &[name, tensor] : parameters) {
        if (!source.has(name))
            throwBadInput(file.string() + ": tensor '" + name + "' is missing");
        torch::Tensor value = source.loadFloat32(name);
        if (value.sizes() != tensor.sizes())
            throwBadInput(file.string() + ": tensor '" + name + "' has the wrong shape");
        tensor.copy_(value.to(tensor.dtype()));
    }
}

} // namespace ft
