// PromptTuningModel::save: the adapter in PEFT's format.
#include "model/prompttuningmodel.h"

#include "ft/error.h"
#include "io/safetensorswriter.h"

#include <torch/torch.h>

#include <fstream>

namespace ft {

namespace fs = std::filesystem;

void PromptTuningModel::save(const fs::path &folder) const
{
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throwBadInput(folder.string() + ": cannot create the folder (" + ec.message() + ")");
    const fs::path configPath = folder / "adapter_config.json";
    {
        std::ofstream out(configPath);
        out << m_pt.toJson(m_model).dump(2) << '\n';
        if (!out)
            throwBadInput(configPath.string() + ": cannot be written");
    }
    writeSafetensors(folder / "adapter_model.safetensors",
                     {{"prompt_embeddings", m_embeddings.detach().contiguous()}},
                     {{"format", "pt"}});
}

} // namespace ft
