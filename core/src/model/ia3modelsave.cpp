// Ia3Model::save: the adapter in PEFT's format (adapter_config.json + adapter_model.safetensors).
#include "model/ia3model.h"

#include "ft/error.h"
#include "io/safetensorswriter.h"

#include <torch/torch.h>

#include <fstream>
#include <set>

namespace ft {

namespace fs = std::filesystem;

void Ia3Model::save(const fs::path &folder) const
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throwBadInput(folder.string() + ": cannot create the folder (" + ec.message() + ")");
    std::vector<std::string> resolved;
    {
        std::set<std::string> names;
        for (const Target &t : m_targets) {
            const auto dot = t.module.rfind('.');
            names.insert(t.module.substr(dot + 1));
        }
        // peft checks feedforward_modules against target_modules as sets when it loads.
        for (const std::string &name : m_ia3.feedforwardModules)
            names.insert(name);
        resolved.assign(names.begin(), names.end());
    }
    const fs::path configPath = folder / "adapter_config.json";
    {
        std::ofstream out(configPath);
        out << m_ia3.toJson(resolved, m_fanInFanOut).dump(2) << '\n';
        if (!out)
            throwBadInput(configPath.string() + ": cannot be written");
    }
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto &[name, tensor] : namedParameters())
        tensors.emplace_back(name, tensor.detach().contiguous());
    writeSafetensors(folder / "adapter_model.safetensors", tensors, {{"format", "pt"}});
}

} // namespace ft
