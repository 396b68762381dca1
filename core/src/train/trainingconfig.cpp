// TrainingConfig from a run file: every problem is collected and reported at once.
#include "ft/trainer.h"

#include "ft/baseprecision.h"
#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/jsonparse.h"
#include "ft/project.h"
#include "model/loraconfig.h"
#include "train/runfiles.h"
#include "train/preferenceconfig.h"
#include "train/stagesconfig.h"
#include "util/userregex.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {
namespace {

const std::vector<std::string> kTopKeys = {
    "model", "data", "data_split", "eval_split", "template", "output_dir", "stage", "stages", "strategy", "lora", "ia3", "prompt_tuning",
    "learning_rate",
    "per_device_train_batch_size", "gradient_accumulation_steps", "num_train_epochs", "max_steps",
    "warmup_ratio", "warmup_steps", "lr_scheduler_type", "weight_decay", "adam_beta1",
    "adam_beta2", "adam_epsilon", "max_grad_norm", "seed", "logging_steps", "save_steps",
    "save_total_limit", "cutoff_len", "packing", "group_by_length", "freeze", "progressive", "val_size", "eval_steps",
    "early_stopping_patience", "early_stopping_threshold", "device", "beta", "loss_type",
    "label_smoothing", "max_prompt_length", "base_precision", "zero_stage", "gradient_checkpointing"};
const std::vector<std::string> kLoraKeys = {"r", "lora_alpha", "lora_dropout", "target_modules",
                                            "use_rslora", "use_dora"};
const std::vector<std::string> kFreezeKeys = {"last_blocks", "first_blocks", "blocks", "modules",
                                              "extra", "patterns"};
const std::vector<std::string> kProgressiveKeys = {"initial_blocks", "modules", "extra", "stages"};
const std::vector<std::string> kStageKeys = {"at_epoch", "at_fraction", "blocks", "lr_factor"};
const std::vector<std::string> kBlockModules = {"attention", "mlp", "norms"};
const std::vector<std::string> kExtraParts = {"embeddings", "final_norm", "lm_head"};
const std::vector<std::string> kIa3Keys = {"target_modules", "feedforward_modules"};
const std::vector<std::string> kPromptTuningKeys = {"num_virtual_tokens", "init", "init_text"};

// Typed field readers that record a problem instead of throwing.
struct Reader
{
    const json &obj;
    std::string prefix;
    std::vector<std::string> &problems;

    bool has(const char *key) const { return obj.contains(key) && !obj[key].is_null(); }
    std::string name(const char *key) const { return prefix + key; }

    void number(const char *key, double &out) const
    {
        if (!has(key))
            return;
        if (!obj[key].is_number())
            problems.push_back(name(key) + ": must be a number");
        else
            out = obj[key].get<double>();
    }
    template <typename Int> void integer(const char *key, Int &out) const
    {
        if (!has(key))
            return;
        const json &v = obj[key];
        // Whole numbers only, and only those the field's type holds (a cast of 1e300 would be
        // undefined behaviour, a wrap-around of 1e10 a silently different setting).
        const double lo = static_cast<double>(std::numeric_limits<Int>::min());
        const double hi = static_cast<double>(std::numeric_limits<Int>::max());
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<Int>::max()))
            problems.push_back(name(key) + ": " + jsonExcerpt(v) + " is too large");
        else if (v.is_number_integer() && (v.get<int64_t>() < lo || v.get<int64_t>() > hi))
            problems.push_back(name(key) + ": " + jsonExcerpt(v) + " is out of range");
        else if (v.is_number_integer())
            out = static_cast<Int>(v.get<int64_t>());
        else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() && v.get<double>() >= lo &&
                 v.get<double>() <= hi)
            out = static_cast<Int>(v.get<double>());
        else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>())
            problems.push_back(name(key) + ": " + jsonExcerpt(v) + " is out of range");
        else
            problems.push_back(name(key) + ": must be an integer");
    }
    void string(const char *key, std::string &out) const
    {
        if (!has(key))
            return;
        if (!obj[key].is_string())
            problems.push_back(name(key) + ": must be a string");
        else
            out = obj[key].get<std::string>();
    }
    void boolean(const char *key, bool &out) const
    {
        if (!has(key))
            return;
        if (!obj[key].is_boolean())
            problems.push_back(name(key) + ": must be true or false");
        else
            out = obj[key].get<bool>();
    }
    // A list of names from `allowed` ("all" stands for every one of them).
    void names(const char *key, std::vector<std::string> &out,
               const std::vector<std::string> &allowed) const
    {
        if (!has(key))
            return;
        const json &v = obj[key];
        if (v.is_string() && v.get<std::string>() == "all") {
            out = allowed;
            return;
        }
        if (!v.is_array() || !std::all_of(v.begin(), v.end(), [](const json &x) { return x.is_string(); })) {
            problems.push_back(name(key) + ": must be a list of names or \"all\"");
            return;
        }
        out.clear();
        for (const auto &x : v) {
            const std::string n = x.get<std::string>();
            if (std::find(allowed.begin(), allowed.end(), n) == allowed.end()) {
                std::string list;
                for (const auto &a : allowed)
                    list += (list.empty() ? "" : ", ") + a;
                problems.push_back(name(key) + ": unknown part '" + n + "' (one of " + list + ")");
            } else if (std::find(out.begin(), out.end(), n) == out.end()) {
                out.push_back(n);
            }
        }
    }
    // peft's Union[list[str], str]: a non-empty list of names, or one (regex) string.
    void namesOrRegex(const char *key, std::vector<std::string> &names, std::string &regex) const
    {
        if (!has(key))
            return;
        const json &t = obj[key];
        if (t.is_string()) {
            regex = t.get<std::string>();
            names.clear();
        } else if (t.is_array() && !t.empty() &&
                   std::all_of(t.begin(), t.end(), [](const json &x) { return x.is_string(); })) {
            names = t.get<std::vector<std::string>>();
        } else {
            problems.push_back(name(key) + ": must be a non-empty list of module names or a "
                               "regex string");
        }
    }
    void unknownKeys(const std::vector<std::string> &known) const
    {
        for (auto it = obj.begin(); it != obj.end(); ++it)
            if (std::find(known.begin(), known.end(), it.key()) == known.end())
                problems.push_back(prefix + it.key() + ": unknown setting");
    }
};

} // namespace

json TrainingConfig::freezeJson() const
{
    json j = {{"modules", freeze.modules}, {"extra", freeze.extra}, {"patterns", freeze.patterns}};
    if (freeze.blockSelection == "list")
        j["blocks"] = freeze.blocks;
    else
        j[freeze.blockSelection + "_blocks"] = freeze.blockCount;
    return j;
}

json TrainingConfig::progressiveJson() const
{
    json stages = json::array();
    for (const auto &st : progressive.stages) {
        json s = {{"blocks", st.blocks}, {"lr_factor", st.lrFactor}};
        if (st.atEpoch > 0)
            s["at_epoch"] = st.atEpoch;
        else
            s["at_fraction"] = st.atFraction;
        stages.push_back(s);
    }
    return {{"initial_blocks", progressive.initialBlocks},
            {"modules", progressive.modules},
            {"extra", progressive.extra},
            {"stages", stages}};
}

json TrainingConfig::toJson() const
{
    json loraJson = {{"r", lora.r},
                     {"lora_alpha", lora.loraAlpha},
                     {"lora_dropout", lora.loraDropout},
                     {"use_rslora", lora.useRslora},
                     {"use_dora", lora.useDora}};
    if (!lora.targetRegex.empty())
        loraJson["target_modules"] = lora.targetRegex;
    else
        loraJson["target_modules"] = lora.targetModules;
    json out = {{"model", model},
            {"data", data},
            {"template", templateName},
            {"output_dir", outputDir},
            {"strategy", strategy},
            {"lora", loraJson},
            {"learning_rate", learningRate},
            {"per_device_train_batch_size", perDeviceTrainBatchSize},
            {"gradient_accumulation_steps", gradientAccumulationSteps},
            {"num_train_epochs", numTrainEpochs},
            {"max_steps", maxSteps},
            {"warmup_ratio", warmupRatio},
            {"warmup_steps", warmupSteps},
            {"lr_scheduler_type", lrSchedulerType},
            {"weight_decay", weightDecay},
            {"adam_beta1", adamBeta1},
            {"adam_beta2", adamBeta2},
            {"adam_epsilon", adamEpsilon},
            {"max_grad_norm", maxGradNorm},
            {"seed", seed},
            {"logging_steps", loggingSteps},
            {"save_steps", saveSteps},
            {"save_total_limit", saveTotalLimit},
            {"cutoff_len", cutoffLen},
            {"packing", packing},
            {"group_by_length", groupByLength},
            {"freeze", freezeJson()},
            {"progressive", progressiveJson()},
            {"val_size", valSize},
            {"eval_steps", evalSteps},
            {"early_stopping_patience", earlyStoppingPatience},
            {"early_stopping_threshold", earlyStoppingThreshold},
            {"device", device}};
    auto namesOrRegex = [](const std::vector<std::string> &names, const std::string &regex) {
        return regex.empty() ? json(names) : json(regex);
    };
    // Only when set, so that file-based configs read back as before.
    if (basePrecision != "fp32")
        out["base_precision"] = basePrecision;
    if (zeroStage != 0)
        out["zero_stage"] = zeroStage;
    if (gradientCheckpointing)
        out["gradient_checkpointing"] = true;
    if (stage != "sft")
        out["stage"] = stage;
    if (!stages.empty())
        out["stages"] = stagesJson(stages);
    addPreferenceJson(*this, out);
    if (!dataSplit.empty())
        out["data_split"] = dataSplit;
    if (!evalSplit.empty())
        out["eval_split"] = evalSplit;
    if (strategy == "ia3")
        out["ia3"] = {{"target_modules", namesOrRegex(ia3.targetModules, ia3.targetRegex)},
                      {"feedforward_modules",
                       namesOrRegex(ia3.feedforwardModules, ia3.feedforwardRegex)}};
    if (strategy == "prompt_tuning")
        out["prompt_tuning"] = {{"num_virtual_tokens", promptTuning.numVirtualTokens},
                                {"init", promptTuning.init},
                                {"init_text", promptTuning.initText}};
    return out;
}

namespace {

void checkPatterns(const std::vector<std::string> &patterns, const std::string &key,
                   std::vector<std::string> &problems)
{
    for (const auto &p : patterns) {
        try {
            UserRegex::validate(p, key);
        } catch (const Error &e) {
            problems.push_back(e.what());
        }
    }
}

void parseFreeze(const json &doc, TrainingConfig &c, std::vector<std::string> &problems)
{
    if (!doc.contains("freeze") || doc["freeze"].is_null())
        return;
    const json &f = doc["freeze"];
    if (!f.is_object()) {
        problems.push_back("freeze: must be an object");
        return;
    }
    Reader r{f, "freeze.", problems};
    r.unknownKeys(kFreezeKeys);
    FreezeOptions &o = c.freeze;
    const int given = int(r.has("last_blocks")) + int(r.has("first_blocks")) + int(r.has("blocks"));
    if (given > 1)
        problems.push_back("freeze: give only one of last_blocks, first_blocks, blocks");
    if (r.has("last_blocks") || r.has("first_blocks")) {
        const char *key = r.has("last_blocks") ? "last_blocks" : "first_blocks";
        o.blockSelection = r.has("last_blocks") ? "last" : "first";
        r.integer(key, o.blockCount);
        if (o.blockCount < 0)
            problems.push_back(std::string("freeze.") + key + ": must be >= 0");
    } else if (r.has("blocks")) {
        o.blockSelection = "list";
        const json &b = f["blocks"];
        if (!b.is_array() || !std::all_of(b.begin(), b.end(), [](const json &x) { return x.is_number_integer(); }))
            problems.push_back("freeze.blocks: must be a list of block indices");
        else
            o.blocks = b.get<std::vector<int>>();
        for (int i : o.blocks)
            if (i < 0)
                problems.push_back("freeze.blocks: index " + std::to_string(i) + " is negative");
    }
    r.names("modules", o.modules, kBlockModules);
    r.names("extra", o.extra, kExtraParts);
    if (r.has("patterns")) {
        const json &p = f["patterns"];
        if (p.is_string())
            o.patterns = {p.get<std::string>()};
        else if (p.is_array() && std::all_of(p.begin(), p.end(), [](const json &x) { return x.is_string(); }))
            o.patterns = p.get<std::vector<std::string>>();
        else
            problems.push_back("freeze.patterns: must be a regex or a list of them");
        checkPatterns(o.patterns, "freeze.patterns", problems);
    }
}

void parseProgressive(const json &doc, TrainingConfig &c, std::vector<std::string> &problems)
{
    if (!doc.contains("progressive") || doc["progressive"].is_null())
        return;
    const json &p = doc["progressive"];
    if (!p.is_object()) {
        problems.push_back("progressive: must be an object");
        return;
    }
    Reader r{p, "progressive.", problems};
    r.unknownKeys(kProgressiveKeys);
    ProgressiveOptions &o = c.progressive;
    r.integer("initial_blocks", o.initialBlocks);
    if (o.initialBlocks < 0)
        problems.push_back("progressive.initial_blocks: must be >= 0");
    r.names("modules", o.modules, kBlockModules);
    r.names("extra", o.extra, kExtraParts);
    if (!r.has("stages"))
        return;
    const json &stages = p["stages"];
    if (!stages.is_array()) {
        problems.push_back("progressive.stages: must be a list of stages");
        return;
    }
    double lastFraction = 0.0;
    int64_t lastEpoch = 0;
    for (size_t i = 0; i < stages.size(); ++i) {
        const std::string where = "progressive.stages[" + std::to_string(i) + "].";
        if (!stages[i].is_object()) {
            problems.push_back(where.substr(0, where.size() - 1) + ": must be an object");
            continue;
        }
        Reader s{stages[i], where, problems};
        s.unknownKeys(kStageKeys);
        ProgressiveStage st;
        s.integer("at_epoch", st.atEpoch);
        s.number("at_fraction", st.atFraction);
        s.integer("blocks", st.blocks);
        s.number("lr_factor", st.lrFactor);
        if (s.has("at_epoch") == s.has("at_fraction"))
            problems.push_back(where + "at_epoch / at_fraction: give exactly one");
        else if (s.has("at_epoch") && st.atEpoch < 1)
            problems.push_back(where + "at_epoch: must be >= 1");
        else if (s.has("at_fraction") && !(st.atFraction > 0 && st.atFraction < 1))
            problems.push_back(where + "at_fraction: must be in (0, 1)");
        else if (s.has("at_epoch") && (st.atEpoch < lastEpoch || lastFraction > 0))
            problems.push_back(where + "at_epoch: stages must come in order (and not mix at_epoch after at_fraction)");
        else if (s.has("at_fraction") && (st.atFraction < lastFraction || lastEpoch > 0))
            problems.push_back(where + "at_fraction: stages must come in order (and not mix at_fraction after at_epoch)");
        if (s.has("at_epoch"))
            lastEpoch = std::max(lastEpoch, st.atEpoch);
        if (s.has("at_fraction"))
            lastFraction = std::max(lastFraction, st.atFraction);
        if (st.blocks < 1)
            problems.push_back(where + "blocks: must be >= 1");
        if (!(st.lrFactor > 0))
            problems.push_back(where + "lr_factor: must be > 0");
        o.stages.push_back(st);
    }
}

} // namespace

TrainingConfig parseTrainingConfig(const json &doc, const std::string &origin,
                                   const fs::path &baseDir)
{
    if (!doc.is_object())
        throwBadInput(origin + ": the run configuration must be a JSON object");
    TrainingConfig c;
    std::vector<std::string> problems;
    Reader r{doc, "", problems};
    r.unknownKeys(kTopKeys);
    r.string("model", c.model);
    r.string("data", c.data);
    r.string("data_split", c.dataSplit);
    r.string("eval_split", c.evalSplit);
    r.string("template", c.templateName);
    r.string("output_dir", c.outputDir);
    r.string("strategy", c.strategy);
    r.string("stage", c.stage);
    parseStages(doc, c, problems);
    r.number("learning_rate", c.learningRate);
    r.integer("per_device_train_batch_size", c.perDeviceTrainBatchSize);
    r.integer("gradient_accumulation_steps", c.gradientAccumulationSteps);
    r.number("num_train_epochs", c.numTrainEpochs);
    r.integer("max_steps", c.maxSteps);
    r.number("warmup_ratio", c.warmupRatio);
    r.integer("warmup_steps", c.warmupSteps);
    r.string("lr_scheduler_type", c.lrSchedulerType);
    r.number("weight_decay", c.weightDecay);
    r.number("adam_beta1", c.adamBeta1);
    r.number("adam_beta2", c.adamBeta2);
    r.number("adam_epsilon", c.adamEpsilon);
    r.number("max_grad_norm", c.maxGradNorm);
    r.integer("seed", c.seed);
    r.integer("logging_steps", c.loggingSteps);
    r.integer("save_steps", c.saveSteps);
    r.integer("save_total_limit", c.saveTotalLimit);
    r.integer("cutoff_len", c.cutoffLen);
    r.boolean("packing", c.packing);
    r.boolean("group_by_length", c.groupByLength);
    r.number("val_size", c.valSize);
    r.integer("eval_steps", c.evalSteps);
    r.integer("early_stopping_patience", c.earlyStoppingPatience);
    r.number("early_stopping_threshold", c.earlyStoppingThreshold);
    r.string("device", c.device);
    r.string("base_precision", c.basePrecision);
    r.integer("zero_stage", c.zeroStage);
    r.boolean("gradient_checkpointing", c.gradientCheckpointing);
    parseFreeze(doc, c, problems);
    parseProgressive(doc, c, problems);
    parsePreferenceOptions(doc, c, problems);
    if (doc.contains("lora") && !doc["lora"].is_null()) {
        const json &l = doc["lora"];
        if (!l.is_object()) {
            problems.push_back("lora: must be an object");
        } else {
            Reader lr{l, "lora.", problems};
            lr.unknownKeys(kLoraKeys);
            lr.integer("r", c.lora.r);
            lr.number("lora_alpha", c.lora.loraAlpha);
            lr.number("lora_dropout", c.lora.loraDropout);
            lr.boolean("use_rslora", c.lora.useRslora);
            lr.boolean("use_dora", c.lora.useDora);
            if (lr.has("target_modules")) {
                const json &t = l["target_modules"];
                if (t.is_string()) {
                    c.lora.targetRegex = t.get<std::string>();
                    c.lora.targetModules.clear();
                } else if (t.is_array() && !t.empty() &&
                           std::all_of(t.begin(), t.end(), [](const json &x) { return x.is_string(); })) {
                    c.lora.targetModules = t.get<std::vector<std::string>>();
                } else {
                    problems.push_back("lora.target_modules: must be a non-empty list of module names "
                                       "or a regex string");
                }
            }
        }
    }

    if (doc.contains("ia3") && !doc["ia3"].is_null()) {
        if (!doc["ia3"].is_object()) {
            problems.push_back("ia3: must be an object");
        } else {
            Reader ir{doc["ia3"], "ia3.", problems};
            ir.unknownKeys(kIa3Keys);
            // An empty list means peft's default (like null).
            if (!(doc["ia3"].contains("target_modules") && doc["ia3"]["target_modules"].is_array() &&
                  doc["ia3"]["target_modules"].empty()))
                ir.namesOrRegex("target_modules", c.ia3.targetModules, c.ia3.targetRegex);
            if (!(doc["ia3"].contains("feedforward_modules") &&
                  doc["ia3"]["feedforward_modules"].is_array() &&
                  doc["ia3"]["feedforward_modules"].empty()))
                ir.namesOrRegex("feedforward_modules", c.ia3.feedforwardModules,
                                c.ia3.feedforwardRegex);
        }
    }
    if (doc.contains("prompt_tuning") && !doc["prompt_tuning"].is_null()) {
        if (!doc["prompt_tuning"].is_object()) {
            problems.push_back("prompt_tuning: must be an object");
        } else {
            Reader pr{doc["prompt_tuning"], "prompt_tuning.", problems};
            pr.unknownKeys(kPromptTuningKeys);
            pr.integer("num_virtual_tokens", c.promptTuning.numVirtualTokens);
            pr.string("init", c.promptTuning.init);
            pr.string("init_text", c.promptTuning.initText);
        }
    }

    auto need = [&](const std::string &value, const char *key) {
        if (value.empty() && !(doc.contains(key) && !doc[key].is_string()))
            problems.push_back(std::string(key) + ": missing");
    };
    need(c.model, "model");
    if (c.stages.empty())
        need(c.data, "data");
    need(c.outputDir, "output_dir");
    if (c.strategy != "full" && c.strategy != "lora" && c.strategy != "freeze" &&
        c.strategy != "progressive" && c.strategy != "ia3" && c.strategy != "prompt_tuning")
        problems.push_back("strategy: must be \"full\", \"lora\", \"freeze\", \"progressive\", "
                           "\"ia3\" or \"prompt_tuning\" (got \"" + c.strategy + "\")");
    if (c.stage != "sft" && c.stage != "pt" && c.stage != "dpo" && c.stage != "orpo")
        problems.push_back("stage: must be \"sft\" (instructions), \"pt\" (documents), \"dpo\" or \"orpo\" "
                           "(preference pairs) (got \"" + c.stage + "\")");
    checkPreferenceOptions(c, problems);
    if (!(c.valSize >= 0) || (c.valSize >= 1 && std::floor(c.valSize) != c.valSize))
        problems.push_back("val_size: must be a fraction in [0, 1) or a whole number of rows");
    if (c.evalSteps < 0)
        problems.push_back("eval_steps: must be >= 0 (0: at the end of every epoch)");
    if (c.earlyStoppingPatience < 0)
        problems.push_back("early_stopping_patience: must be >= 0 (0: off)");
    if (!(c.earlyStoppingThreshold >= 0))
        problems.push_back("early_stopping_threshold: must be >= 0");
    if (c.earlyStoppingPatience > 0 && c.valSize == 0 && c.evalSplit.empty())
        problems.push_back("early_stopping_patience: needs a validation split (val_size or eval_split)");
    const std::pair<std::string, std::string> splitKeys[] = {{"data_split", c.dataSplit},
                                                             {"eval_split", c.evalSplit}};
    for (const auto &[key, value] : splitKeys)
        if (!value.empty() && value != "train" && value != "validation" && value != "test" &&
            !(value == "all" && key == "data_split"))
            problems.push_back(key + ": must be train, validation or test" +
                               (key == "data_split" ? " (or all)" : "") + " (got \"" + value + "\")");
    if (!c.evalSplit.empty() && c.valSize > 0)
        problems.push_back("eval_split: the evaluation rows come from the project's split; set "
                           "val_size to 0 (a second random split would mix them)");
    if (!c.evalSplit.empty() && c.evalSplit == c.dataSplit)
        problems.push_back("eval_split: \"" + c.evalSplit + "\" is also the training split");
    if ((!c.dataSplit.empty() || !c.evalSplit.empty()) && !c.data.empty() &&
        !parseProjectDataset(c.data))
        problems.push_back("data_split / eval_split: need a project dataset as data (P.ftproj#name)");
    if (c.device != "auto" && c.device != "cpu" && c.device != "cuda")
        problems.push_back("device: must be auto, cpu or cuda (got \"" + c.device + "\")");
    if (c.templateName != "model" && !builtinChatTemplate(c.templateName)) {
        std::string names;
        for (const auto &n : builtinChatTemplateNames())
            names += ", " + n;
        problems.push_back("template: '" + c.templateName + "' is not \"model\" or a built-in template (" +
                           names.substr(2) + ")");
    }
    if (!(c.learningRate > 0))
        problems.push_back("learning_rate: must be > 0 (got " + fmt(c.learningRate) + ")");
    // Upper bounds far above any real run, so that a typo cannot allocate the machine away.
    if (c.perDeviceTrainBatchSize < 1 || c.perDeviceTrainBatchSize > 4096)
        problems.push_back("per_device_train_batch_size: must be between 1 and 4096");
    if (c.gradientAccumulationSteps < 1 || c.gradientAccumulationSteps > 1000000)
        problems.push_back("gradient_accumulation_steps: must be between 1 and 1000000");
    if (c.maxSteps <= 0 && !(c.numTrainEpochs > 0))
        problems.push_back("num_train_epochs: must be > 0 (or set max_steps)");
    if (c.maxSteps == 0 || c.maxSteps < -1)
        problems.push_back("max_steps: must be -1 (use num_train_epochs) or > 0");
    if (!(c.warmupRatio >= 0 && c.warmupRatio < 1))
        problems.push_back("warmup_ratio: must be in [0, 1)");
    if (c.warmupSteps < 0)
        problems.push_back("warmup_steps: must be >= 0");
    if (c.lrSchedulerType != "linear" && c.lrSchedulerType != "cosine" &&
        c.lrSchedulerType != "constant_with_warmup" && c.lrSchedulerType != "constant")
        problems.push_back("lr_scheduler_type: must be linear, cosine, constant_with_warmup or constant");
    if (!(c.weightDecay >= 0))
        problems.push_back("weight_decay: must be >= 0");
    if (!(c.adamBeta1 >= 0 && c.adamBeta1 < 1) || !(c.adamBeta2 >= 0 && c.adamBeta2 < 1))
        problems.push_back("adam_beta1 / adam_beta2: must be in [0, 1)");
    if (!(c.adamEpsilon > 0))
        problems.push_back("adam_epsilon: must be > 0");
    // Gradients are float32: a bound past its range cannot clip anything and overflows.
    if (!std::isfinite(c.maxGradNorm) || c.maxGradNorm > 1e30)
        problems.push_back("max_grad_norm: must be a number up to 1e30 (<= 0: no clipping)");
    if (c.loggingSteps < 1)
        problems.push_back("logging_steps: must be >= 1");
    if (c.saveSteps < 0)
        problems.push_back("save_steps: must be >= 0 (0: no checkpoints)");
    if (c.saveTotalLimit < 0)
        problems.push_back("save_total_limit: must be >= 0 (0: keep all)");
    if (c.cutoffLen < 2 || c.cutoffLen > 1048576)
        problems.push_back("cutoff_len: must be between 2 and 1048576");
    if (c.strategy == "ia3" && c.ia3.targetRegex.empty() && !c.ia3.targetModules.empty())
        for (const auto &name : c.ia3.feedforwardModules)
            if (std::find(c.ia3.targetModules.begin(), c.ia3.targetModules.end(), name) ==
                c.ia3.targetModules.end())
                problems.push_back("ia3.feedforward_modules: '" + name +
                                   "' is not in target_modules (peft requires a subset)");
    if (c.strategy == "prompt_tuning") {
        if (c.promptTuning.numVirtualTokens < 1 || c.promptTuning.numVirtualTokens > 65536)
            problems.push_back("prompt_tuning.num_virtual_tokens: must be between 1 and 65536 (got " +
                               std::to_string(c.promptTuning.numVirtualTokens) + ")");
        if (c.promptTuning.init != "random" && c.promptTuning.init != "text")
            problems.push_back("prompt_tuning.init: must be \"random\" or \"text\" (got \"" +
                               c.promptTuning.init + "\")");
        if (c.promptTuning.init == "text" && c.promptTuning.initText.empty())
            problems.push_back("prompt_tuning.init_text: missing (init \"text\" needs it)");
    }
    if (c.strategy == "lora") {
        if (c.lora.r < 1 || c.lora.r > 65536)
            problems.push_back("lora.r: must be between 1 and 65536 (got " + std::to_string(c.lora.r) + ")");
        if (!(c.lora.loraAlpha > 0))
            problems.push_back("lora.lora_alpha: must be > 0");
        if (!(c.lora.loraDropout >= 0 && c.lora.loraDropout < 1))
            problems.push_back("lora.lora_dropout: must be in [0, 1)");
        if (c.lora.useDora) {
            const std::string t = LoraConfig::nonLinearTarget(c.lora.targetModules);
            if (!t.empty())
                problems.push_back("lora.use_dora: target '" + t + "' is not a linear map of a "
                                   "decoder layer (DoRA applies to the layers' linear maps, not "
                                   "to embeddings or lm_head)");
        }
    }
    if (c.zeroStage != 0 && c.zeroStage != 1)
        problems.push_back("zero_stage: must be 0 (every process holds the whole optimizer state) or 1 "
                           "(the AdamW state is shared out among the torchrun processes); got " +
                           std::to_string(c.zeroStage));
    if (!parseBasePrecision(c.basePrecision))
        problems.push_back("base_precision: must be one of " + std::string(basePrecisionChoices()) +
                           " (got \"" + c.basePrecision + "\")");
    else if (c.basePrecision != "fp32") {
        // A compact base is frozen: only adapters train over it (QLoRA's setting).
        if (c.strategy != "lora" && c.strategy != "ia3" && c.strategy != "prompt_tuning")
            problems.push_back("base_precision: \"" + c.basePrecision + "\" keeps the base frozen; "
                               "strategy \"" + c.strategy + "\" trains base weights (use \"fp32\", "
                               "or strategy lora, ia3 or prompt_tuning)");
        else if (c.strategy == "lora" && c.lora.useDora)
            problems.push_back("base_precision: \"" + c.basePrecision + "\" with lora.use_dora: DoRA "
                               "needs the base weight's norm; use \"fp32\" for DoRA");
    }
    if (!problems.empty())
        throwBadInput(joinProblems(origin, problems));

    if (!baseDir.empty()) {
        auto resolve = [&](std::string &p) {
            if (!p.empty() && fs::path(p).is_relative())
                p = (baseDir / p).lexically_normal().string();
        };
        resolve(c.model);
        resolve(c.data);
        resolve(c.outputDir);
        resolveStagePaths(c, baseDir);
    }
    return c;
}

TrainingConfig loadTrainingConfig(const fs::path &file)
{
    const json doc = readJsonFileBounded(file);
    return parseTrainingConfig(doc, file.string(), fs::absolute(file).parent_path());
}

} // namespace ft
