#include "train/stagesconfig.h"

#include <algorithm>
#include <cmath>

using nlohmann::json;

namespace ft {

namespace {

const std::vector<std::string> kStageSpecKeys = {"stage",    "data",      "data_split",   "eval_split",
                                                 "num_train_epochs", "max_steps", "learning_rate"};

} // namespace

void parseStages(const json &doc, TrainingConfig &c, std::vector<std::string> &problems)
{
    if (!doc.contains("stages") || doc["stages"].is_null())
        return;
    const json &list = doc["stages"];
    if (!list.is_array() || list.empty()) {
        problems.push_back("stages: must be a non-empty list of {\"stage\", \"data\", ...}");
        return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "stages[" + std::to_string(i) + "].";
        const json &item = list[i];
        if (!item.is_object()) {
            problems.push_back(where.substr(0, where.size() - 1) + ": must be an object");
            continue;
        }
        for (auto it = item.begin(); it != item.end(); ++it)
            if (std::find(kStageSpecKeys.begin(), kStageSpecKeys.end(), it.key()) == kStageSpecKeys.end())
                problems.push_back(where + it.key() + ": unknown setting");
        TrainingStageSpec spec;
        auto text = [&](const char *key, std::string &out) {
            if (!item.contains(key) || item[key].is_null())
                return;
            if (!item[key].is_string())
                problems.push_back(where + key + ": must be a string");
            else
                out = item[key].get<std::string>();
        };
        auto number = [&](const char *key, double &out) {
            if (!item.contains(key) || item[key].is_null())
                return;
            if (!item[key].is_number() || !(item[key].get<double>() > 0))
                problems.push_back(where + key + ": must be a number > 0");
            else
                out = item[key].get<double>();
        };
        text("stage", spec.stage);
        text("data", spec.data);
        text("data_split", spec.dataSplit);
        text("eval_split", spec.evalSplit);
        number("num_train_epochs", spec.numTrainEpochs);
        number("learning_rate", spec.learningRate);
        double steps = 0;
        number("max_steps", steps);
        if (steps > 0 && (std::floor(steps) != steps || steps > 1e12))
            problems.push_back(where + "max_steps: must be a whole number");
        else
            spec.maxSteps = static_cast<int64_t>(steps);
        if (spec.stage == "dpo")  // its reference is the base without the adapter
            problems.push_back(where + "stage: \"dpo\" in a staged run would compare with the base model "
                                       "without the adapter, not with what the stages before it trained; "
                                       "train DPO as a run of its own, or use \"orpo\" (no reference)");
        else if (spec.stage != "sft" && spec.stage != "pt" && spec.stage != "orpo")
            problems.push_back(where + "stage: must be \"sft\", \"pt\" or \"orpo\" (got \"" + spec.stage + "\")");
        if (spec.data.empty())
            problems.push_back(where + "data: missing");
        c.stages.push_back(std::move(spec));
    }
    if (doc.contains("stage"))
        problems.push_back("stage: give each stage its own in \"stages\" instead");
    if (c.strategy == "progressive")
        problems.push_back("stages: strategy \"progressive\" cannot run in stages yet (its unfreezing "
                           "schedule belongs to one run)");
}

void resolveStagePaths(TrainingConfig &c, const std::filesystem::path &baseDir)
{
    for (TrainingStageSpec &spec : c.stages)
        if (!spec.data.empty() && std::filesystem::path(spec.data).is_relative())
            spec.data = (baseDir / spec.data).lexically_normal().string();
}

json stagesJson(const std::vector<TrainingStageSpec> &stages)
{
    json list = json::array();
    for (const TrainingStageSpec &s : stages) {
        json item = {{"stage", s.stage}, {"data", s.data}};
        if (!s.dataSplit.empty())
            item["data_split"] = s.dataSplit;
        if (!s.evalSplit.empty())
            item["eval_split"] = s.evalSplit;
        if (s.numTrainEpochs > 0)
            item["num_train_epochs"] = s.numTrainEpochs;
        if (s.maxSteps != 0)
            item["max_steps"] = s.maxSteps;
        if (s.learningRate > 0)
            item["learning_rate"] = s.learningRate;
        list.push_back(std::move(item));
    }
    return list;
}

} // namespace ft
