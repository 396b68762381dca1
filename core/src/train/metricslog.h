// output_dir/metrics.jsonl: one JSON line per logged step and per evaluation, flushed as written.
// On resume the lines after the checkpoint's step (the interrupted run's) are dropped first.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace ft {

class MetricsLog
{
public:
    // Opens `path` for appending: emptied for a new run (resumeStep < 0), else cut to the lines
    // whose "step" is at most resumeStep.
    MetricsLog(const std::filesystem::path &path, int64_t resumeStep);

    void write(const nlohmann::json &line);

private:
    std::ofstream m_out;
};

} // namespace ft

namespace ft {

struct TrainingStepInfo;
struct TrainingEvalInfo;

// The metrics.jsonl line of a logged step: "loss" as transformers' Trainer logs it (the mean
// over the logging window), "step_loss" this step's own loss.
nlohmann::json stepMetricsLine(const TrainingStepInfo &info, int64_t trainableParameters);
nlohmann::json evalMetricsLine(const TrainingEvalInfo &info);

} // namespace ft
