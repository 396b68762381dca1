// export: --run RUN_DIR [--checkpoint DIR] --format peft|merged|gguf|gguf-lora|ollama [--type T]
//         --out DIR [--overwrite] [--lora-adapter] [--system TEXT] [--temperature T] [--no-check] [--json]
#include "traincommand.h"

#include "ft/error.h"
#include "ft/runexport.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include <unistd.h>

namespace ftcli {
namespace {

std::atomic<bool> g_stopExport{false};

extern "C" void onExportSignal(int) { g_stopExport.store(true); }

struct ExportArgs
{
    std::string run;
    std::string checkpoint;
    std::string format;
    std::string out;
    std::string ggufType;
    bool overwrite = false;
    bool noCheck = false;
    bool loraAdapter = false;
    bool json = false;
    std::string system;
    double temperature = -1.0;
};

void runExport(const ExportArgs &a)
{
    ft::ExportRequest request;
    request.runDir = a.run;
    if (!a.checkpoint.empty()) {
        const std::filesystem::path cp = a.checkpoint;
        request.source = cp.has_parent_path() ? cp : request.runDir / cp;
    }
    request.format = ft::parseExportFormat(a.format);
    request.ggufType = a.ggufType;
    request.outDir = a.out;
    request.overwrite = a.overwrite;
    request.readBack = !a.noCheck;
    request.ollamaAdapter = a.loraAdapter;
    request.systemPrompt = a.system;
    request.temperature = a.temperature;
    if (request.format != ft::ExportFormat::Ollama && (!a.system.empty() || a.temperature >= 0))
        ft::throwBadInput("--system and --temperature apply to --format ollama only");

    // A live progress line only on a terminal; it is cleared before any other output, so that
    // an error message stands alone on its line.
    const bool live = !a.json && ::isatty(STDERR_FILENO);
    ft::ExportCallbacks callbacks;
    callbacks.stop = &g_stopExport;
    callbacks.onProgress = [live](double fraction, const std::string &what) {
        if (live)
            std::cerr << "\r\033[K" << static_cast<int>(fraction * 100) << "% " << what << std::flush;
    };
    auto clearLine = [live] {
        if (live)
            std::cerr << "\r\033[K" << std::flush;
    };
    std::signal(SIGINT, onExportSignal);
    std::signal(SIGTERM, onExportSignal);
    ft::RunExportResult result;
    try {
        result = ft::exportRunAtomically(request, callbacks);
    } catch (...) {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        clearLine();
        throw;
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    clearLine();
    for (const std::string &w : result.warnings)
        std::cerr << "warning: " << w << '\n';
    if (a.json) {
        nlohmann::json j = {{"folder", result.folder.string()},
                            {"format", a.format},
                            {"files", result.files},
                            {"gguf_type", result.ggufType},
                            {"warnings", result.warnings},
                            {"read_back",
                             {{"checked", result.readBack.checked},
                              {"note", result.readBack.note},
                              {"relative_error", result.readBack.relativeError},
                              {"tolerance", result.readBack.tolerance}}}};
        std::cout << j.dump(2) << '\n';
        return;
    }
    std::cerr << "wrote " << result.folder.string() << " (";
    for (size_t i = 0; i < result.files.size(); ++i)
        std::cerr << (i ? ", " : "") << result.files[i];
    std::cerr << ")\n" << (result.readBack.checked ? "checked: " : "") << result.readBack.note << '\n';
}

} // namespace

void addExportCommand(CLI::App &app, Runner &run)
{
    auto exp = std::make_shared<ExportArgs>();
    CLI::App *cmd = app.add_subcommand(
        "export", "Export a run as a PEFT adapter, a merged model, GGUF, a llama.cpp LoRA or an Ollama bundle");
    cmd->add_option("--run", exp->run, "The run's output_dir")->required();
    cmd->add_option("--checkpoint", exp->checkpoint, "Export this checkpoint-N of the run instead of final/");
    cmd->add_option("--format", exp->format,
                    "peft, merged, gguf (the merged model), gguf-lora (llama.cpp adapter) or ollama "
                    "(GGUF + Modelfile)")
        ->required();
    cmd->add_option("--type", exp->ggufType,
                    "gguf / ollama: F32, F16, BF16, Q8_0, Q6_K, Q4_K_M, Q4_0 or Q4_1 (default F16; ollama Q8_0)");
    cmd->add_option("--out", exp->out, "Folder to create (written atomically)")->required();
    cmd->add_flag("--overwrite", exp->overwrite, "Replace an existing --out folder once the new one is complete");
    cmd->add_flag("--lora-adapter", exp->loraAdapter,
                  "ollama: the base model as GGUF + the run's LoRA as an ADAPTER GGUF (not merged)");
    cmd->add_option("--system", exp->system, "ollama: the Modelfile's SYSTEM prompt");
    cmd->add_option("--temperature", exp->temperature, "ollama: PARAMETER temperature");
    cmd->add_flag("--no-check", exp->noCheck, "Skip reading the export back and comparing logits");
    cmd->add_flag("--json", exp->json, "Print the result as JSON on stdout");
    cmd->callback([&run, exp] { run = [exp] { runExport(*exp); }; });
}

} // namespace ftcli
