// Finding a run's latest checkpoint, and exporting a run as a PEFT adapter or a merged model.
#include "ft/trainer.h"

#include "ft/error.h"
#include "ft/model.h"
#include "ft/modelfiles.h"
#include "io/ggufmodel.h"
#include "io/safetensorswriter.h"
#include "model/modelimpl.h"
#include "model/peftadapter.h"
#include "export/runsource.h"
#include "train/runfiles.h"
#include "train/trainerio.h"

#include <torch/torch.h>

#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

fs::path latestCheckpoint(const fs::path &runDir)
{
    const auto all = listCheckpoints(runDir);
    if (all.empty())
        throwBadInput(runDir.string() + ": no checkpoint-N folder to resume from");
    return all.back();
}

void exportRun(const fs::path &runDir, const std::string &format, const fs::path &outDir)
{
    exportRunSource(runDir, runDir / "final", format, outDir);
}

void exportRunSource(const fs::path &runDir, const fs::path &final, const std::string &format,
                     const fs::path &outDir, bool forGguf)
{
    if (!fs::is_directory(final))
        throwBadInput(runDir.string() + ": no " + final.filename().string() +
                      "/ folder (the run has not finished)");
    if (!fs::exists(final / "adapter_config.json") && !fs::exists(final / "config.json"))
        throwBadInput(final.string() + ": holds only the trained tensors, not a whole model; "
                      "export the run's final model");
    const TrainingConfig config =
        parseTrainingConfig(json::parse(readText(runDir / "training_config.json", "run configuration")),
                            (runDir / "training_config.json").string());
    const bool isAdapter = fs::exists(final / "adapter_config.json");
    if (format == "peft") {
        if (!isAdapter)
            throwBadInput(runDir.string() + ": a full fine-tuning run has no adapter; use --format merged");
        fs::create_directories(outDir);
        fs::copy(final, outDir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        return;
    }
    if (format != "merged")
        throwBadInput("--format: must be peft, merged or gguf (got '" + format + "')");
    if (isAdapter && peftTypeOf(final) == "PROMPT_TUNING")
        throwBadInput(runDir.string() + ": a prompt-tuning adapter cannot be merged into the base "
                      "weights (its virtual tokens are extra inputs, not a weight change); use "
                      "--format peft");
    const bool ggufBase = fs::is_regular_file(config.model) && isGgufFile(config.model);
    if (ggufBase && !forGguf)
        throwBadInput(config.model + ": a GGUF base has no Hugging Face tokenizer files for a merged "
                                     "folder; export --format gguf or ollama instead");
    if (!ggufBase && !fs::is_directory(config.model))
        throwBadInput(config.model + ": merged export needs a Hugging Face model folder as the base");
    fs::create_directories(outDir);
    if (!isAdapter) {
        fs::copy(final, outDir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        return;
    }
    auto model = Model::open(config.model);
    Model::Impl &m = model->impl();
    loadPeftAdapter(m.config, m.weights, final)->mergeAndUnload();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto &[name, t] : m.weights.named)
        tensors.emplace_back(name, t.detach().contiguous());
    writeSafetensors(outDir / "model.safetensors", tensors, {{"format", "pt"}});
    if (ggufBase) {
        std::ofstream(outDir / "config.json") << openGgufModel(config.model).hfConfig.dump(2);
        return;
    }
    copyModelSideFiles(config.model, outDir);
}

} // namespace ft
