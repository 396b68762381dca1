#include "train/preferenceconfig.h"

#include "train/runfiles.h"

#include <algorithm>
#include <cmath>

using nlohmann::json;

namespace ft {

namespace {

bool hasPreferenceStage(const TrainingConfig &c)
{
    return isPreferenceStage(c.stage) ||
           std::any_of(c.stages.begin(), c.stages.end(),
                       [](const TrainingStageSpec &s) { return isPreferenceStage(s.stage); });
}

bool present(const json &doc, const char *key) { return doc.contains(key) && !doc[key].is_null(); }

} // namespace

bool isPreferenceStage(const std::string &stage) { return stage == "dpo" || stage == "orpo"; }

void parsePreferenceOptions(const json &doc, TrainingConfig &c, std::vector<std::string> &problems)
{
    PreferenceOptions &o = c.preference;
    const bool preference = hasPreferenceStage(c);
    for (const char *key : {"beta", "loss_type", "label_smoothing"}) {
        if (!present(doc, key))
            continue;
        if (!preference) {
            problems.push_back(std::string(key) + ": applies to the preference stages \"dpo\" and \"orpo\" only");
            continue;
        }
        const json &v = doc[key];
        if (std::string(key) == "loss_type") {
            if (v.is_string())
                o.lossType = v.get<std::string>();
            else if (v.is_array() && v.size() == 1 && v[0].is_string())  // TRL takes a list
                o.lossType = v[0].get<std::string>();
            else
                problems.push_back("loss_type: must be a string (\"sigmoid\" or \"robust\")");
        } else if (!v.is_number()) {
            problems.push_back(std::string(key) + ": must be a number");
        } else {
            (std::string(key) == "beta" ? o.beta : o.labelSmoothing) = v.get<double>();
        }
    }
    if (present(doc, "max_prompt_length"))
        problems.push_back("max_prompt_length: TRL 1.16 has no such option any more, and neither does this "
                           "engine: the prompt is kept whole, the answers are cut to fit cutoff_len (TRL's "
                           "max_length), and a pair whose prompt alone fills cutoff_len is skipped");
}

void checkPreferenceOptions(const TrainingConfig &c, std::vector<std::string> &problems)
{
    if (!hasPreferenceStage(c))
        return;
    const PreferenceOptions &o = c.preference;
    const bool dpo = c.stage == "dpo";
    if (!(o.beta > 0) || !std::isfinite(o.beta))
        problems.push_back("beta: must be > 0 (got " + fmt(o.beta) + ")");
    if (o.lossType != "sigmoid" && o.lossType != "robust")
        problems.push_back("loss_type: \"" + o.lossType + "\" is not built; \"sigmoid\" (DPO) or \"robust\" "
                                                          "(robust DPO, with label_smoothing)");
    if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 0.5))
        problems.push_back("label_smoothing: must be in [0, 0.5) (got " + fmt(o.labelSmoothing) + ")");
    else if (o.labelSmoothing > 0 && o.lossType == "sigmoid")
        problems.push_back("label_smoothing: TRL 1.16 applies it to loss_type \"robust\" only (the \"sigmoid\" "
                           "loss ignores it); set loss_type \"robust\" or label_smoothing 0");
    if (c.stage == "orpo" && (o.lossType != "sigmoid" || o.labelSmoothing != 0))
        problems.push_back("loss_type / label_smoothing: DPO options; ORPO has beta (its lambda) only");
    if (dpo && c.strategy != "lora" && c.strategy != "ia3")
        problems.push_back("strategy: \"" + c.strategy + "\" has no adapter to switch off, and DPO's reference "
                           "model is the base without the adapter (no second copy of the weights); use "
                           "\"lora\" or \"ia3\", or stage \"orpo\", which needs no reference");
    else if (c.strategy == "prompt_tuning")
        problems.push_back("strategy: \"prompt_tuning\" does not train the preference stages yet; use \"lora\"");
    if (c.packing)
        problems.push_back("packing: a preference pair is one unit (its prompt with both answers); set it to false");
    if (c.valSize > 0 || !c.evalSplit.empty())
        problems.push_back("val_size / eval_split: the preference stages have no evaluation yet; set val_size "
                           "to 0 and leave eval_split out");
}

void addPreferenceJson(const TrainingConfig &c, json &out)
{
    if (!hasPreferenceStage(c))
        return;
    out["beta"] = c.preference.beta;
    if (c.stage == "dpo") {
        out["loss_type"] = c.preference.lossType;
        out["label_smoothing"] = c.preference.labelSmoothing;
    }
}

} // namespace ft
