// train:  --config run.json [--resume RUN_DIR]
// export: exportcommand.cpp
#include "traincommand.h"
#include "trainrunrecord.h"

#include "ft/error.h"
#include "ft/torchrun.h"
#include "ft/trainer.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace ftcli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void onSignal(int) { g_stop.store(true); }

std::string clock(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e8)
        return "?";
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

// A live progress line on stderr (rewritten with \r); log lines go above it.
class ProgressPrinter : public ft::TrainingObserver
{
public:
    void onStep(const ft::TrainingStepInfo &s) override
    {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "\rstep %lld/%lld  epoch %.2f  loss %.4f  lr %.2e  grad %.3f  %.0f tok/s  ETA %s ",
                      static_cast<long long>(s.step), static_cast<long long>(s.totalSteps), s.epoch,
                      s.windowLoss, s.learningRate, s.gradNorm, s.tokensPerSecond, clock(s.etaSeconds).c_str());
        std::cerr << buf << std::flush;
        m_open = true;
        lastStep = s.step;
        totalSteps = s.totalSteps;
        lastLoss = s.windowLoss;
    }
    void onLog(const std::string &text) override
    {
        if (m_open)
            std::cerr << '\n';
        m_open = false;
        std::cerr << text << '\n';
    }
    ~ProgressPrinter() override
    {
        if (m_open)
            std::cerr << '\n';
    }

    int64_t lastStep = 0;
    int64_t totalSteps = 0;
    std::optional<double> lastLoss;

private:
    bool m_open = false;
};

// The configuration of a run to resume: a staged run's own (its output_dir holds the stages),
// else the latest checkpoint's.
ft::TrainingConfig resumedConfig(const std::string &runDir)
{
    const std::filesystem::path staged = std::filesystem::path(runDir) / "training_config.json";
    std::error_code ec;
    if (std::filesystem::exists(staged, ec)) {
        ft::TrainingConfig config = ft::loadTrainingConfig(staged);
        if (!config.stages.empty())
            return config;
    }
    return ft::loadTrainingConfig(ft::latestCheckpoint(runDir) / "training_config.json");
}

struct TrainArgs
{
    std::string config;
    std::string resume;
};

void runTrain(const TrainArgs &args)
{
    ft::TrainingConfig config;
    if (!args.config.empty())
        config = ft::loadTrainingConfig(args.config);
    else if (!args.resume.empty())
        config = resumedConfig(args.resume);
    else
        ft::throwBadInput("give --config (and --resume RUN_DIR to continue a run)");
    ProgressPrinter printer;
    ft::TrainingResult result;
    std::optional<TrainRunRecord> record;
    const bool lead = ft::isLeadProcess();  // under torchrun, rank 0 alone records the run
    // The studio starting torchrun records the run itself.
    const bool records = lead && !std::getenv("FT_STUDIO_RECORDS_RUN");
    try {
        if (!config.stages.empty()) {  // each stage loads its own Trainer in turn
            if (records)
                record.emplace(config, args.resume);
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            result = ft::runStages(config, args.resume, &printer, &g_stop);
        } else {
            ft::Trainer trainer(config, args.resume, &printer);
            if (records)  // once the configuration and data proved good
                record.emplace(config, args.resume);
            std::signal(SIGINT, onSignal);
            std::signal(SIGTERM, onSignal);
            result = trainer.run(&printer, &g_stop);
        }
    } catch (...) {
        if (record)
            record->finish(ft::RunStatus::Failed, printer.lastStep, printer.totalSteps, printer.lastLoss);
        throw;
    }
    if (record)
        record->finish(result.stopped ? ft::RunStatus::Stopped : ft::RunStatus::Finished, result.steps,
                       result.stopped ? printer.totalSteps : result.steps,
                       printer.lastStep > 0 ? std::optional<double>(result.lastLoss) : std::nullopt);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (result.stopped && lead)
        printer.onLog("stopped at step " + std::to_string(result.steps) +
                      "; continue with --resume " + (args.resume.empty() ? config.outputDir : args.resume));
}

} // namespace

void addTrainCommands(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<TrainArgs>();
    CLI::App *cmd = app.add_subcommand("train", "Fine-tune a model (full or LoRA) from a JSON run configuration");
    cmd->add_option("--config", args->config, "Run configuration (JSON; see docs/training.md)");
    cmd->add_option("--resume", args->resume, "Continue the run in this output_dir from its latest checkpoint");
    cmd->callback([&run, args] { run = [args] { runTrain(*args); }; });

    addExportCommand(app, run);
    addLayersCommand(app, run);
}

} // namespace ftcli
