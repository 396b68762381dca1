// Training runs and per-project settings in a project file (schema v3: the runs and
// project_settings tables). A run is a first-class object that Train, Compare, Evaluate and
// Export share: its configuration, status, where its files are, its progress. Torch-free.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ft {

class ProjectStore;

// running: a process trains it now (RunRecord::pid); crashed: it was running and that process
// is gone (see markCrashedRuns).
enum class RunStatus { Running, Stopped, Finished, Failed, Crashed };

const char *runStatusName(RunStatus status);
std::optional<RunStatus> parseRunStatus(const std::string &name);

struct RunRecord
{
    int64_t id = 0;                  // runs.id (filled by addRun)
    std::string name;
    nlohmann::json config = nlohmann::json::object();  // TrainingConfig::toJson()
    RunStatus status = RunStatus::Running;
    std::string folder;              // the run's output_dir
    std::string baseModel;           // the model it trains (folder or .gguf)
    std::string dataset;             // "P.ftproj#name" or a data file
    std::string createdAt;           // UTC, ISO 8601 (filled by addRun)
    std::string updatedAt;           // UTC, ISO 8601 (filled by addRun / updateRun)
    std::string notes;
    int64_t steps = 0;               // optimiser steps done
    int64_t totalSteps = 0;          // planned (0: not known yet)
    int64_t lastCheckpointStep = 0;  // 0: no checkpoint
    std::optional<double> finalLoss; // the last step's loss, when the run ended
    int64_t pid = 0;                 // the training process while running

    // Stopped or crashed with a checkpoint: `train --resume folder` continues it.
    bool resumable() const
    {
        return (status == RunStatus::Stopped || status == RunStatus::Crashed) && lastCheckpointStep > 0;
    }
};

// Stores a new run (id, createdAt and updatedAt filled); returns its id. BadInput when the name
// is empty.
int64_t addRun(ProjectStore &store, RunRecord &run);
// Writes every field of run `run.id` (updatedAt refreshed). BadInput when there is no such run.
void updateRun(ProjectStore &store, RunRecord &run);
// Newest first.
std::vector<RunRecord> listRuns(const ProjectStore &store);
std::optional<RunRecord> findRun(const ProjectStore &store, int64_t id);
// The record only (with its metrics and checkpoints rows); the caller removes the folder.
void removeRun(ProjectStore &store, int64_t id);
// Runs recorded "running" whose process `alive(pid)` says is gone become "crashed"; returns
// their ids. The default asks the operating system whether the process exists.
std::vector<int64_t> markCrashedRuns(ProjectStore &store,
                                     const std::function<bool(int64_t pid)> &alive = {});
// This process's id, as RunRecord::pid records it.
int64_t currentProcessId();

// Per-project settings: key -> JSON value (nullopt when never set).
// The Train page's settings ({"config": run.json keys without paths, "data": "P#name"}) and the
// model the project last had open: what the window restores with the project.
inline constexpr const char *kTrainSettingsKey = "train_settings";
inline constexpr const char *kLastModelKey = "last_model";
std::optional<nlohmann::json> projectSetting(const ProjectStore &store, const std::string &key);
void setProjectSetting(ProjectStore &store, const std::string &key, const nlohmann::json &value);

} // namespace ft
