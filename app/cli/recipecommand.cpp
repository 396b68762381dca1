// recipe --config run.json --to llamafactory [--deepspeed zero2|zero3] --out DIR
//        [--model-id ID] [--template NAME] [--no-bf16] [--overwrite] [--json]
// The hand-off to a cluster (docs/cluster.md): the run as a LLaMA-Factory recipe.
#include "commands.h"

#include "ft/clusterrecipe.h"
#include "ft/trainer.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace ftcli {
namespace {

struct RecipeArgs
{
    std::string config;
    std::string to = "llamafactory";
    std::string deepspeed;
    std::string out;
    std::string modelId;
    std::string templateName;
    bool noBf16 = false;
    bool overwrite = false;
    bool json = false;
};

void runRecipe(const RecipeArgs &a)
{
    const ft::TrainingConfig config = ft::loadTrainingConfig(a.config);
    ft::ClusterRecipeOptions options;
    options.target = a.to;
    options.deepSpeed = ft::parseDeepSpeedStage(a.deepspeed);
    options.bf16 = !a.noBf16;
    options.modelId = a.modelId;
    options.templateName = a.templateName;
    options.origin = a.config;
    options.overwrite = a.overwrite;
    const ft::ClusterRecipe r = ft::writeClusterRecipe(config, options, a.out);
    if (a.json) {
        nlohmann::json warnings = nlohmann::json::array();
        for (const auto &w : r.warnings)
            warnings.push_back({{"code", w.code}, {"message", w.message}});
        nlohmann::json j = {{"folder", r.folder.string()},       {"files", r.files},
                            {"stage", r.stage},                  {"finetuning_type", r.finetuningType},
                            {"template", r.llamaFactoryTemplate}, {"train_rows", r.trainRows},
                            {"eval_rows", r.evalRows},           {"skipped_rows", r.skippedRows},
                            {"warnings", warnings}};
        std::cout << j.dump(2) << '\n';
        return;
    }
    for (const auto &w : r.warnings)
        std::cerr << "warning [" << w.code << "]: " << w.message << '\n';
    std::cout << "wrote " << r.folder.string() << " (" << r.trainRows << " training rows, stage " << r.stage
              << ", " << r.finetuningType << "); launch commands in " << (r.folder / "README.md").string()
              << '\n';
}

} // namespace

void addRecipeCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<RecipeArgs>();
    CLI::App *cmd = app.add_subcommand("recipe", "Write a run as a cluster recipe (LLaMA-Factory YAML, data, "
                                                 "DeepSpeed config, launch commands)");
    cmd->add_option("--config", args->config, "Run configuration (JSON; see docs/training.md)")->required();
    cmd->add_option("--to", args->to, "The engine the recipe is for")->check(CLI::IsMember({"llamafactory"}));
    cmd->add_option("--deepspeed", args->deepspeed, "Add a DeepSpeed ZeRO config: zero2 or zero3")
        ->check(CLI::IsMember({"zero2", "zero3", "none"}));
    cmd->add_option("--out", args->out, "Folder to create (written atomically)")->required();
    cmd->add_option("--model-id", args->modelId,
                    "model_name_or_path on the cluster (a hub id or its path) instead of the run's model");
    cmd->add_option("--template", args->templateName,
                    "LLaMA-Factory's template name instead of the one matched to the run's template");
    cmd->add_flag("--no-bf16", args->noBf16, "bf16: false (a CPU smoke test; clusters want bf16)");
    cmd->add_flag("--overwrite", args->overwrite, "Replace an existing --out folder once the new one is complete");
    cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
    cmd->callback([&run, args] { run = [args] { runRecipe(*args); }; });
}

} // namespace ftcli
