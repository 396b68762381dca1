// memory: the training memory estimate of a model for a strategy, batch and cutoff, against
// this machine's RAM (what the Studio's Model page shows).
#include "commands.h"

#include "ft/cudadevice.h"
#include "ft/error.h"
#include "ft/memoryestimate.h"
#include "ft/model.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>

namespace ftcli {

namespace {

struct MemoryArgs
{
    std::string model;
    std::string strategy = "lora";
    int batch = 4;
    int cutoff = 1024;
    int loraR = 8;
    std::vector<std::string> targets{"q_proj", "v_proj"};
    double share = 0.25;
    std::string basePrecision = "fp32";
    bool gradientCheckpointing = false;
    bool json = false;
};

ft::TuningMethod methodNamed(const std::string &name)
{
    static const std::map<std::string, ft::TuningMethod> methods{
        {"full", ft::TuningMethod::Full}, {"freeze", ft::TuningMethod::Freeze},
        {"lora", ft::TuningMethod::Lora}, {"ia3", ft::TuningMethod::Ia3},
        {"prompt", ft::TuningMethod::PromptTuning}};
    const auto it = methods.find(name);
    if (it == methods.end())
        ft::throwBadInput("memory: --strategy " + name +
                          " is not one of full, freeze, lora, ia3, prompt");
    return it->second;
}

} // namespace

void addMemoryCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<MemoryArgs>();
    CLI::App *cmd = app.add_subcommand("memory", "Estimate the memory training a model takes");
    cmd->add_option("--model", args->model, "Hugging Face folder or .gguf file")->required();
    cmd->add_option("--strategy", args->strategy, "full, freeze, lora, ia3 or prompt")
        ->capture_default_str();
    cmd->add_option("--batch", args->batch, "per_device_train_batch_size")->capture_default_str();
    cmd->add_option("--cutoff", args->cutoff, "cutoff_len (tokens per example)")
        ->capture_default_str();
    cmd->add_option("--lora-r", args->loraR, "LoRA rank")->capture_default_str();
    cmd->add_option("--targets", args->targets, "LoRA target modules (or all-linear)");
    cmd->add_option("--trainable-share", args->share, "freeze: share of parameters trained")
        ->capture_default_str();
    cmd->add_option("--base-precision", args->basePrecision,
                    "The frozen base's format: fp32, bf16, q8_0, q4_0 or nf4")
        ->capture_default_str();
    cmd->add_flag("--gradient-checkpointing", args->gradientCheckpointing,
                  "Blocks keep only their input and run again in backward");
    cmd->add_flag("--json", args->json, "Machine-readable output");
    cmd->callback([&run, args] {
        run = [args] {
            if (args->batch < 1 || args->cutoff < 1 || args->loraR < 1)
                ft::throwBadInput("memory: --batch, --cutoff and --lora-r must be at least 1");
            ft::MemoryStrategy strategy;
            strategy.method = methodNamed(args->strategy);
            strategy.loraR = args->loraR;
            strategy.loraTargets = args->targets;
            strategy.trainableShare = args->share;
            const auto precision = ft::parseBasePrecision(args->basePrecision);
            if (!precision)
                ft::throwBadInput("memory: --base-precision must be one of " +
                                  std::string(ft::basePrecisionChoices()) + " (got \"" +
                                  args->basePrecision + "\")");
            strategy.basePrecision = *precision;
            strategy.gradientCheckpointing = args->gradientCheckpointing;
            const auto model = ft::Model::open(args->model);
            const ft::MemoryEstimate e =
                ft::estimateTrainingMemory(model->info(), strategy, args->batch, args->cutoff);
            const int64_t ram = ft::physicalMemoryBytes();
            // Training goes where device "auto" goes: the GPU's memory when there is one.
            const auto gpu = ft::firstCudaDevice();
            const int64_t available = gpu ? gpu->totalBytes : ram;
            const std::string source = gpu ? "GPU " + gpu->name : "RAM";
            const char *verdict = ft::memoryVerdictName(ft::memoryVerdict(e.total(), available));
            if (args->json) {
                const nlohmann::json out = {{"strategy", args->strategy},
                                            {"trainable_parameters", e.trainableParameters},
                                            {"weights", e.weights},
                                            {"base_precision", args->basePrecision},
                                            {"dequant_buffer", e.dequantBuffer},
                                            {"gradient_checkpointing", args->gradientCheckpointing},
                                            {"gradients", e.gradients},
                                            {"optimizer", e.optimizer},
                                            {"activations", e.activations},
                                            {"total", e.total()},
                                            {"ram", ram},
                                            {"device", gpu ? "cuda" : "cpu"},
                                            {"available", available},
                                            {"available_source", source},
                                            {"verdict", verdict}};
                std::cout << out.dump(2) << '\n';
                return;
            }
            const auto mib = [](int64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; };
            std::cout << "strategy " << args->strategy << ", " << e.trainableParameters
                      << " trainable parameters\n"
                      << "  weights:     " << mib(e.weights) << '\n'
                      << "  gradients:   " << mib(e.gradients) << '\n'
                      << "  optimizer:   " << mib(e.optimizer) << '\n'
                      << "  activations: " << mib(e.activations) << '\n'
                      << "  total:       " << mib(e.total()) << " of " << mib(available) << " " << source << ": "
                      << verdict << '\n';
        };
    });
}

} // namespace ftcli
