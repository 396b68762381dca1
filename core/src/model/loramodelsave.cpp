// LoraModel::save: the adapter in PEFT's format (adapter_config.json + adapter_model.safetensors).
#include "model/loramodel.h"

#include "ft/error.h"
#include "io/safetensorswriter.h"

#include <torch/torch.h>

#include <fstream>
#include <set>

namespace ft {

namespace fs = std::filesystem;

namespace {

std::string suffixOf(const std::string &module)
{
    const auto dot = module.rfind('.');
    return dot == std::string::npos ? module : module.substr(dot + 1);
}

} // namespace

void LoraModel::save(const fs::path &folder) const
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throwBadInput(folder.string() + ": cannot create the folder (" + ec.message() + ")");
    std::vector<std::string> resolved;
    {
        std::set<std::string> names;
        for (const Target &t : m_targets)
            names.insert(suffixOf(t.module));
        resolved.assign(names.begin(), names.end());
    }
    const fs::path configPath = folder / "adapter_config.json";
    {
        std::ofstream out(configPath);
        out << m_lora.toJson(resolved, m_fanInFanOut).dump(2) << '\n';
        if (!out)
            throwBadInput(configPath.string() + ": cannot be written");
    }
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto &[name, tensor] : namedParameters())
        tensors.emplace_back(name, tensor.detach().contiguous());
    writeSafetensors(folder / "adapter_model.safetensors", tensors, {{"format", "pt"}});
}

} // namespace ft
