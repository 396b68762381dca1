// demo: creates the demo project (ft/demoproject.h): the Veltra H2 support desk imported,
// reviewed and split, with the preset LoRA run's settings, ready for the studio to open.
//   finetune-cli demo --project P.ftproj [--model M] [--data F.jsonl] [--json]
#include "commands.h"

#include "ft/demoproject.h"
#include "ft/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace ftcli {
namespace {

struct DemoArgs
{
    std::string project, model, data;
    bool noModel = false;
    bool json = false;
};

std::filesystem::path programDir()
{
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::current_path() : exe.parent_path();
}

void runDemo(const DemoArgs &a)
{
    ft::DemoProjectOptions options;
    options.project = a.project;
    if (!a.data.empty()) {
        options.data = a.data;
    } else if (auto found = ft::findDemoData(programDir())) {
        options.data = *found;
    } else {
        ft::throwBadInput("demo: the demo data (veltra_support.jsonl) is not installed; give it with --data");
    }
    if (!a.model.empty())
        options.model = a.model;
    else if (!a.noModel)
        if (auto found = ft::findBundledModel(programDir()))
            options.model = *found;
    const ft::DemoProject demo = ft::createDemoProject(options);
    if (a.json) {
        std::cout << nlohmann::json{{"project", std::filesystem::absolute(a.project).string()},
                                    {"dataset", demo.dataset},
                                    {"model", options.model.string()},
                                    {"split", {{"train", demo.train}, {"validation", demo.validation}, {"test", demo.test}}},
                                    {"train_settings", demo.trainSettings}}
                         .dump(2)
                  << '\n';
        return;
    }
    std::cout << "demo project " << a.project << ": dataset '" << demo.dataset << "' (train " << demo.train
              << ", validation " << demo.validation << ", test " << demo.test << "), reviewed, "
              << (options.model.empty() ? std::string("no model") : "model " + options.model.string())
              << "; open it with finetune-studio --project " << a.project << '\n';
}

} // namespace

void addDemoCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<DemoArgs>();
    CLI::App *cmd = app.add_subcommand("demo", "Create the demo project (an invented product's support desk, "
                                               "imported, reviewed and split, with a preset LoRA run)");
    cmd->add_option("--project", args->project, "Project file to create (*.ftproj)")->required();
    cmd->add_option("--model", args->model, "Model for the review's token counts (default: the bundled SmolLM2)");
    cmd->add_flag("--no-model", args->noModel, "Do not look for the bundled model");
    cmd->add_option("--data", args->data, "The demo data (default: the installed veltra_support.jsonl)");
    cmd->add_flag("--json", args->json, "Print JSON");
    cmd->callback([&run, args] { run = [args] { runDemo(*args); }; });
}

} // namespace ftcli
