// A `finetune-cli train` run whose data is a project dataset ("P.ftproj#name") is recorded in
// that project's runs table (ft/runstore.h) the way the window records its own runs, so the
// Evaluate and Compare pages, `export --run` and `report --run` find it.
#pragma once

#include "ft/runstore.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ft {
struct TrainingConfig;
}

namespace ftcli {

class TrainRunRecord
{
public:
    // Adds the run (name = its output folder's name, status running, this process) or, when
    // resuming a run the project knows by its folder, marks that one running again. Nothing
    // when the data is not a project dataset. A project that cannot be written is a warning on
    // stderr, not a reason to stop training.
    TrainRunRecord(const ft::TrainingConfig &config, const std::string &resumeDir);

    // The run's end: status, steps done, planned steps (0: unknown), the last loss, and the
    // latest checkpoint found in its folder.
    void finish(ft::RunStatus status, int64_t steps, int64_t totalSteps, std::optional<double> finalLoss);

    std::optional<int64_t> runId() const { return m_runId; }

private:
    std::filesystem::path m_project;
    std::filesystem::path m_folder;
    std::optional<int64_t> m_runId;
};

// The N of the folder's highest checkpoint-N (0 when there is none).
int64_t lastCheckpointStep(const std::filesystem::path &runFolder);

} // namespace ftcli
