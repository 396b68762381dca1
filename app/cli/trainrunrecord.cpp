#include "trainrunrecord.h"

#include "ft/project.h"
#include "ft/trainer.h"

#include <iostream>

namespace ftcli {

namespace {

std::filesystem::path absoluteFolder(const std::string &folder)
{
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::absolute(folder, ec);
    return (ec ? std::filesystem::path(folder) : p).lexically_normal();
}

std::string withoutTrailingSlash(std::filesystem::path p)
{
    std::string s = p.string();
    while (s.size() > 1 && s.back() == '/')
        s.pop_back();
    return s;
}

void warn(const std::filesystem::path &project, const std::exception &e)
{
    std::cerr << "warning: the run is not recorded in " << project.string() << ": " << e.what() << '\n';
}

} // namespace

int64_t lastCheckpointStep(const std::filesystem::path &runFolder)
{
    int64_t last = 0;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(runFolder, ec)) {
        const std::string name = entry.path().filename().string();
        const std::string prefix = "checkpoint-";
        if (!entry.is_directory(ec) || name.rfind(prefix, 0) != 0 || name.size() == prefix.size() ||
            name.find_first_not_of("0123456789", prefix.size()) != std::string::npos || name.size() > prefix.size() + 18)
            continue;
        last = std::max<int64_t>(last, std::stoll(name.substr(prefix.size())));
    }
    return last;
}

TrainRunRecord::TrainRunRecord(const ft::TrainingConfig &config, const std::string &resumeDir)
{
    // A staged run's project is its first stage's when the run-wide data is not one.
    auto spec = ft::parseProjectDataset(config.data);
    if (!spec && !config.stages.empty())
        spec = ft::parseProjectDataset(config.stages.front().data);
    if (!spec || !std::filesystem::is_regular_file(spec->first))
        return;
    m_project = spec->first;
    m_folder = absoluteFolder(resumeDir.empty() ? config.outputDir : resumeDir);
    try {
        ft::ProjectStore store(m_project.string(), /*mustExist=*/true);
        if (!resumeDir.empty()) {
            const std::string folder = withoutTrailingSlash(m_folder);
            for (ft::RunRecord &run : ft::listRuns(store))
                if (withoutTrailingSlash(absoluteFolder(run.folder)) == folder) {
                    run.status = ft::RunStatus::Running;
                    run.pid = ft::currentProcessId();
                    ft::updateRun(store, run);
                    m_runId = run.id;
                    return;
                }
        }
        ft::RunRecord run;
        run.name = withoutTrailingSlash(m_folder);
        run.name = std::filesystem::path(run.name).filename().string();
        if (run.name.empty())
            run.name = "cli-run";
        run.config = config.toJson();
        run.folder = withoutTrailingSlash(m_folder);
        run.baseModel = config.model;
        run.dataset = config.data.empty() && !config.stages.empty() ? config.stages.front().data : config.data;
        run.status = ft::RunStatus::Running;
        run.pid = ft::currentProcessId();
        m_runId = ft::addRun(store, run);
    } catch (const std::exception &e) {
        warn(m_project, e);
    }
}

void TrainRunRecord::finish(ft::RunStatus status, int64_t steps, int64_t totalSteps, std::optional<double> finalLoss)
{
    if (!m_runId)
        return;
    try {
        ft::ProjectStore store(m_project.string(), /*mustExist=*/true);
        std::optional<ft::RunRecord> run = ft::findRun(store, *m_runId);
        if (!run)
            return;  // removed from the project meanwhile
        run->status = status;
        run->steps = std::max(run->steps, steps);
        if (totalSteps > 0)
            run->totalSteps = totalSteps;
        run->lastCheckpointStep = lastCheckpointStep(m_folder);
        if (finalLoss)
            run->finalLoss = finalLoss;
        run->pid = 0;
        ft::updateRun(store, *run);
    } catch (const std::exception &e) {
        warn(m_project, e);
    }
}

} // namespace ftcli
