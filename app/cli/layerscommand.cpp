// layers: --model PATH [--config run.json] [--json]: the model's parts (ft/modelstructure.h)
// and, with a run configuration, which of them its strategy trains.
#include "traincommand.h"

#include "ft/error.h"
#include "ft/model.h"
#include "ft/modelstructure.h"
#include "ft/trainer.h"

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace ftcli {
namespace {

struct LayersArgs
{
    std::string model;
    std::string config;
    bool json = false;
};

void runLayers(const LayersArgs &args)
{
    std::optional<ft::TrainingConfig> config;
    if (!args.config.empty())
        config = ft::loadTrainingConfig(args.config);
    const std::string path = !args.model.empty() ? args.model : config ? config->model : std::string();
    if (path.empty())
        ft::throwBadInput("give --model (or --config with a model)");
    auto model = ft::Model::open(path);
    const ft::ModelStructure structure = ft::describeModel(*model);
    std::optional<ft::TrainingPlan> plan;
    if (config)
        plan = ft::planTraining(*config, *model);
    if (args.json) {
        std::cout << (plan ? ft::toJson(structure, *plan) : ft::toJson(structure)).dump(1) << '\n';
        return;
    }
    std::printf("%s, %d blocks, %lld parameters\n", structure.architecture.c_str(), structure.blockCount,
                static_cast<long long>(structure.totalParameters));
    for (size_t i = 0; i < structure.parts.size(); ++i) {
        const ft::ModelPart &p = structure.parts[i];
        std::string mark;
        if (plan) {
            const ft::PartTraining &t = plan->parts[i];
            mark = !t.loraModules.empty()    ? "  lora x" + std::to_string(t.loraModules.size())
                   : !t.adapterModules.empty() ? "  ia3 x" + std::to_string(t.adapterModules.size())
                   : t.adapterParameters > 0   ? "  + " + std::to_string(t.adapterParameters) + " virtual-token parameters"
                   : t.stage > 0               ? "  joins at stage " + std::to_string(t.stage)
                   : t.trainable               ? "  trains"
                                               : "  frozen";
        }
        std::printf("  %-22s %-11s %12lld%s%s\n", p.id.c_str(), p.kind.c_str(),
                    static_cast<long long>(p.parameterCount), mark.c_str(),
                    p.tied ? "  (tied)" : "");
    }
    if (plan)
        std::printf("strategy %s: %lld trainable parameters\n", plan->strategy.c_str(),
                    static_cast<long long>(plan->trainableParameters));
}

} // namespace

void addLayersCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<LayersArgs>();
    CLI::App *cmd = app.add_subcommand("layers", "Show a model's parts and which ones a run configuration trains");
    cmd->add_option("--model", args->model, "Hugging Face folder or .gguf file");
    cmd->add_option("--config", args->config, "Run configuration (its strategy is applied)");
    cmd->add_flag("--json", args->json, "Machine-readable output");
    cmd->callback([&run, args] { run = [args] { runLayers(*args); }; });
}

} // namespace ftcli
