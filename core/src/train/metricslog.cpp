#include "train/metricslog.h"

#include "train/runfiles.h"

#include <sstream>
#include <string>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

MetricsLog::MetricsLog(const fs::path &path, int64_t resumeStep)
{
    std::string text;
    if (resumeStep >= 0 && fs::exists(path)) {
        // Keep the metrics up to the checkpoint; later lines belong to the interrupted run.
        std::istringstream lines(readText(path, "metrics"));
        std::string line;
        while (std::getline(lines, line)) {
            try {
                if (json::parse(line).at("step").get<int64_t>() <= resumeStep)
                    text += line + "\n";
            } catch (const std::exception &) {
            }
        }
    }
    writeText(path, text);
    m_out.open(path, std::ios::app);
}

void MetricsLog::write(const json &line)
{
    m_out << line.dump() << '\n';
    m_out.flush();
}

} // namespace ft

#include "ft/trainer.h"

namespace ft {

json stepMetricsLine(const TrainingStepInfo &info, int64_t trainableParameters)
{
    return {{"step", info.step},
            {"epoch", info.epoch},
            {"loss", info.windowLoss},
            {"step_loss", info.loss},
            {"logged_steps", info.windowSteps},
            {"learning_rate", info.learningRate},
            {"grad_norm", info.gradNorm},
            {"tokens_per_second", info.tokensPerSecond},
            {"elapsed_seconds", info.elapsedSeconds},
            {"memory_bytes", info.memoryBytes},
            {"trainable_parameters", trainableParameters}};
}

json evalMetricsLine(const TrainingEvalInfo &info)
{
    return {{"step", info.step},
            {"epoch", info.epoch},
            {"eval_loss", info.loss},
            {"eval_perplexity", info.perplexity},
            {"eval_tokens", info.tokens}};
}

} // namespace ft
