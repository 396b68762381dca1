#include "export/llamafactoryargs.h"

#include "ft/error.h"
#include "ft/tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace ft {
namespace {

bool contains(const std::string &s, const char *part) { return s.find(part) != std::string::npos; }

std::string joined(const std::vector<std::string> &items, const char *sep = ",")
{
    std::string out;
    for (const auto &item : items)
        out += (out.empty() ? "" : sep) + item;
    return out;
}

// LLaMA-Factory's name for a model's own Jinja template, recognised by its turn markers.
std::string templateForJinja(const std::string &jinja)
{
    if (contains(jinja, "<|im_start|>")) {
        if (contains(jinja, "You are Qwen"))
            return "qwen";
        if (contains(jinja, "SmolLM"))
            return "smollm2";
        return "chatml";
    }
    if (contains(jinja, "<|start_header_id|>"))
        return "llama3";
    if (contains(jinja, "<<SYS>>") && contains(jinja, "[INST]"))
        return "llama2";
    if (contains(jinja, "[INST]"))
        return "mistral";
    if (contains(jinja, "<start_of_turn>"))
        return "gemma";
    if (contains(jinja, "<|user|>") && contains(jinja, "<|end|>"))
        return "phi";
    if (contains(jinja, "### Instruction"))
        return "alpaca";
    return {};
}

// The model folder's config.json (an empty object when it cannot be read: a GGUF, a hub id).
nlohmann::json modelConfig(const std::string &model)
{
    std::ifstream in(fs::path(model) / "config.json");
    if (!in)
        return nlohmann::json::object();
    const auto config = nlohmann::json::parse(in, nullptr, false);
    return config.is_object() ? config : nlohmann::json::object();
}

int blockCountOf(const nlohmann::json &config)
{
    for (const char *key : {"num_hidden_layers", "n_layer", "num_layers"})
        if (config.contains(key) && config[key].is_number_integer())
            return config[key].get<int>();
    return 0;
}

// Explicit block indices that are the last N or the first N blocks -> N or -N (LLaMA-Factory's
// freeze_trainable_layers); 0 when they are neither.
int layersForList(std::vector<int> blocks, int total)
{
    std::sort(blocks.begin(), blocks.end());
    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    const int n = static_cast<int>(blocks.size());
    if (n == 0 || total <= 0)
        return 0;
    const bool prefix = blocks.front() == 0 && blocks.back() == n - 1;
    const bool suffix = blocks.back() == total - 1 && blocks.front() == total - n;
    if (suffix)
        return n;
    if (prefix)
        return -n;
    return 0;
}

// Our part names -> the module names LLaMA-Factory's freeze tuning matches in parameter names.
struct FreezeNames
{
    std::vector<std::string> attention, mlp, norms, embeddings, finalNorm, lmHead;
};

FreezeNames freezeNames(const std::string &type)
{
    if (type == "gpt2")
        return {{"attn"}, {"mlp"}, {"ln_1", "ln_2"}, {"wte", "wpe"}, {"ln_f"}, {"lm_head"}};
    return {{"self_attn"}, {"mlp"}, {"input_layernorm", "post_attention_layernorm"},
            {"embed_tokens"}, {"norm"}, {"lm_head"}};
}

void addAll(std::vector<std::string> &to, const std::vector<std::string> &from)
{
    to.insert(to.end(), from.begin(), from.end());
}

class Mapper
{
public:
    Mapper(const TrainingConfig &c, const ClusterRecipeOptions &o) : config(c), options(o) {}

    [[noreturn]] void refuse(const std::string &field, const std::string &why) const
    {
        throwBadInput((options.origin.empty() ? std::string("run configuration") : options.origin) + ": " +
                      field + ": " + why);
    }
    void warn(const std::string &code, const std::string &message)
    {
        out.warnings.push_back({code, message});
    }

    void checkExpressible()
    {
        if (!config.stages.empty())
            refuse("stages", "a staged run has no single LLaMA-Factory recipe (it runs one stage per YAML); "
                             "write one run configuration per stage");
        if (config.strategy == "ia3")
            refuse("strategy", "ia3 (IA3) is not a LLaMA-Factory finetuning_type (lora, freeze, full)");
        if (config.strategy == "prompt_tuning")
            refuse("strategy", "prompt_tuning is not a LLaMA-Factory finetuning_type (lora, freeze, full)");
        if (config.strategy == "progressive")
            refuse("strategy", "progressive unfreezing (stages that unfreeze more blocks) has no LLaMA-Factory "
                               "equivalent; use strategy freeze with the final block count");
        if (config.strategy != "lora" && config.strategy != "freeze" && config.strategy != "full")
            refuse("strategy", "'" + config.strategy + "' has no LLaMA-Factory equivalent");
        if (options.modelId.empty() && fs::path(config.model).extension() == ".gguf")
            refuse("model", "a GGUF file; LLaMA-Factory trains from a Hugging Face folder or hub id "
                            "(give --model-id)");
    }

    ordered_json modelSection() const
    {
        ordered_json s;
        s["model_name_or_path"] = options.modelId.empty() ? config.model : options.modelId;
        return s;
    }

    ordered_json methodSection()
    {
        ordered_json s;
        s["stage"] = out.stage;
        s["do_train"] = true;
        s["finetuning_type"] = config.strategy;
        out.finetuningType = config.strategy;
        if (config.strategy == "lora")
            addLora(s);
        else if (config.strategy == "freeze")
            addFreeze(s);
        if (config.stage == "dpo" || config.stage == "orpo")
            addPreference(s);
        return s;
    }

    void addLora(ordered_json &s)
    {
        const LoraOptions &l = config.lora;
        s["lora_rank"] = l.r;
        const double alpha = std::round(l.loraAlpha);
        if (alpha != l.loraAlpha)
            warn("lora_alpha", "lora_alpha " + std::to_string(l.loraAlpha) +
                                   " rounded to " + std::to_string(static_cast<int>(alpha)) +
                                   " (LLaMA-Factory takes an integer)");
        s["lora_alpha"] = static_cast<int>(alpha);
        s["lora_dropout"] = l.loraDropout;
        if (l.targetRegex == "all-linear")
            s["lora_target"] = "all";  // both leave lm_head out
        else if (!l.targetRegex.empty())
            refuse("lora.target_modules", "a regex ('" + l.targetRegex +
                                              "'); LLaMA-Factory's lora_target takes module names or \"all\"");
        else if (l.targetModules.empty())
            refuse("lora.target_modules", "empty; LLaMA-Factory's lora_target needs module names or \"all\"");
        else
            s["lora_target"] = joined(l.targetModules);
        if (l.useRslora)
            s["use_rslora"] = true;
        if (l.useDora)
            s["use_dora"] = true;
    }

    void addFreeze(ordered_json &s)
    {
        const FreezeOptions &f = config.freeze;
        if (!f.patterns.empty())
            refuse("freeze.patterns", "name patterns have no LLaMA-Factory equivalent (freeze_trainable_modules "
                                      "names modules inside the blocks)");
        const nlohmann::json modelJson = modelConfig(config.model);
        int layers = f.blockSelection == "first" ? -f.blockCount : f.blockCount;
        if (f.blockSelection == "list") {
            layers = layersForList(f.blocks, blockCountOf(modelJson));
            if (layers == 0)
                refuse("freeze.blocks", "these block indices are not the last N or the first N blocks, the only "
                                        "choices of LLaMA-Factory's freeze_trainable_layers");
        }
        s["freeze_trainable_layers"] = layers;
        const std::string type = modelJson.value("model_type", std::string());
        if (type.empty())
            warn("freeze_modules", "the model's config.json was not readable; Llama module names assumed");
        const FreezeNames names = freezeNames(type);
        std::vector<std::string> modules;
        bool attention = false, mlp = false, norms = false;
        for (const auto &m : f.modules) {
            attention = attention || m == "attention";
            mlp = mlp || m == "mlp";
            norms = norms || m == "norms";
        }
        if (attention && mlp && norms) {
            modules = {"all"};
        } else {
            if (attention)
                addAll(modules, names.attention);
            if (mlp)
                addAll(modules, names.mlp);
            if (norms)
                addAll(modules, names.norms);
        }
        s["freeze_trainable_modules"] = joined(modules);
        std::vector<std::string> extra;
        for (const auto &e : f.extra) {
            if (e == "embeddings")
                addAll(extra, names.embeddings);
            else if (e == "final_norm")
                addAll(extra, names.finalNorm);
            else if (e == "lm_head")
                addAll(extra, names.lmHead);
        }
        if (!extra.empty())
            s["freeze_extra_modules"] = joined(extra);
    }

    void addPreference(ordered_json &s)
    {
        const PreferenceOptions &p = config.preference;
        s["pref_beta"] = p.beta;
        if (config.stage == "orpo") {
            s["pref_loss"] = "orpo";
            warn("orpo", "stage orpo runs as LLaMA-Factory's stage dpo with pref_loss orpo (pref_beta = our "
                         "beta, ORPO's lambda)");
            return;
        }
        if (p.lossType != "sigmoid")
            refuse("loss_type", "'" + p.lossType + "' is not one of LLaMA-Factory's pref_loss "
                                           "values (sigmoid, hinge, ipo, kto_pair, orpo, simpo)");
        s["pref_loss"] = "sigmoid";
    }

    ordered_json datasetSection(const RecipeFileNames &files)
    {
        ordered_json s;
        s["dataset"] = files.trainDataset;
        if (!files.evalDataset.empty())
            s["eval_dataset"] = files.evalDataset;
        s["dataset_dir"] = ".";
        if (!out.templateName.empty())
            s["template"] = out.templateName;
        s["cutoff_len"] = config.cutoffLen;
        if (config.stage == "pt") {
            s["packing"] = true;
            warn("pt_packing", "stage pt: LLaMA-Factory concatenates the documents into cutoff_len blocks with "
                               "attention across document boundaries (ours masks it)");
        } else if (config.packing) {
            s["packing"] = true;
            s["neat_packing"] = true;  // examples in one row do not attend to each other, as ours
            warn("packing", "packing maps to LLaMA-Factory's neat_packing (rows of whole examples, no attention "
                            "between them); the bins are filled by its own order");
        }
        if (config.valSize > 0 && files.evalDataset.empty())
            s["val_size"] = config.valSize;
        return s;
    }

    ordered_json outputSection(const RecipeFileNames &files)
    {
        ordered_json s;
        s["output_dir"] = files.outputDir;
        s["logging_steps"] = config.loggingSteps;
        if (config.saveSteps > 0) {
            s["save_steps"] = config.saveSteps;
        } else {
            s["save_strategy"] = "no";
        }
        if (config.saveTotalLimit > 0)
            s["save_total_limit"] = config.saveTotalLimit;
        s["report_to"] = "none";
        return s;
    }

    ordered_json trainSection(const RecipeFileNames &files)
    {
        ordered_json s;
        s["per_device_train_batch_size"] = config.perDeviceTrainBatchSize;
        s["gradient_accumulation_steps"] = config.gradientAccumulationSteps;
        s["learning_rate"] = config.learningRate;
        s["num_train_epochs"] = config.numTrainEpochs;
        if (config.maxSteps > 0)
            s["max_steps"] = config.maxSteps;
        s["lr_scheduler_type"] = config.lrSchedulerType;
        if (config.warmupSteps > 0)
            s["warmup_steps"] = config.warmupSteps;
        else
            s["warmup_ratio"] = config.warmupRatio;
        s["weight_decay"] = config.weightDecay;
        s["adam_beta1"] = config.adamBeta1;
        s["adam_beta2"] = config.adamBeta2;
        s["adam_epsilon"] = config.adamEpsilon;
        s["max_grad_norm"] = config.maxGradNorm > 0 ? config.maxGradNorm : 0.0;
        s["seed"] = config.seed;
        s["bf16"] = options.bf16;
        if (config.groupByLength)
            warn("group_by_length", "group_by_length is left out (LLaMA-Factory batches in its own order)");
        if (!files.deepSpeedConfig.empty())
            s["deepspeed"] = files.deepSpeedConfig;
        s["ddp_timeout"] = 180000000;  // as LLaMA-Factory's examples: long tokenization on rank 0
        return s;
    }

    ordered_json evalSection(const RecipeFileNames &files)
    {
        ordered_json s;
        if (files.evalDataset.empty() && !(config.valSize > 0))
            return s;
        s["per_device_eval_batch_size"] = config.perDeviceTrainBatchSize;
        if (config.evalSteps > 0) {
            s["eval_strategy"] = "steps";
            s["eval_steps"] = config.evalSteps;
        } else {
            s["eval_strategy"] = "epoch";
        }
        if (config.earlyStoppingPatience > 0)
            warn("early_stopping", "early_stopping_patience is left out (LLaMA-Factory's YAML has no early "
                                   "stopping); the run trains to the end");
        return s;
    }

    const TrainingConfig &config;
    const ClusterRecipeOptions &options;
    LlamaFactoryArgs out;
};

std::string yamlNumber(double v)
{
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.1f", v);
        return buf;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // Shortest text that reads back as the same double.
    for (int precision = 1; precision <= 17; ++precision) {
        char shorter[64];
        std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
        if (std::strtod(shorter, nullptr) == v) {
            std::snprintf(buf, sizeof buf, "%s", shorter);
            break;
        }
    }
    std::string text = buf;
    const auto e = text.find('e');
    if (text.find('.') == std::string::npos)
        text.insert(e == std::string::npos ? text.size() : e, ".0");
    return text;
}

std::string yamlValue(const ordered_json &v)
{
    if (v.is_number_float())
        return yamlNumber(v.get<double>());
    return v.dump();  // integers, booleans, double-quoted strings (JSON escapes are YAML escapes)
}

} // namespace

std::string llamaFactoryTemplateFor(const TrainingConfig &config, std::vector<RecipeWarning> &warnings)
{
    const std::string &ours = config.templateName;
    if (ours == "chatml" || ours == "llama3" || ours == "alpaca")
        return ours;  // same text around each turn
    if (ours == "model") {
        const fs::path model(config.model);
        if (model.extension() == ".gguf")
            throwBadInput("template: the run uses the GGUF model's own chat template; name LLaMA-Factory's "
                          "template for it with --template");
        const auto tokenizer = Tokenizer::fromFolder(model);
        const std::string name = templateForJinja(tokenizer->chatTemplate());
        if (!name.empty()) {
            warnings.push_back({"template", "the model's chat template is LLaMA-Factory's \"" + name +
                                                "\" (recognised by its turn markers)"});
            return name;
        }
        throwBadInput("template: the model's own chat template matches none of LLaMA-Factory's templates that "
                      "this recipe knows (chatml, qwen, smollm2, llama3, llama2, mistral, gemma, phi, alpaca); "
                      "name one with --template");
    }
    throwBadInput("template: our '" + ours + "' template has no LLaMA-Factory counterpart; name one of "
                  "LLaMA-Factory's templates with --template");
}

LlamaFactoryArgs mapToLlamaFactory(const TrainingConfig &config, const ClusterRecipeOptions &options,
                                   const RecipeFileNames &files)
{
    Mapper m(config, options);
    m.checkExpressible();
    m.out.stage = config.stage == "orpo" ? "dpo" : config.stage;
    if (config.stage != "pt")
        m.out.templateName = options.templateName.empty() ? llamaFactoryTemplateFor(config, m.out.warnings)
                                                          : options.templateName;
    m.out.sections.emplace_back("model", m.modelSection());
    m.out.sections.emplace_back("method", m.methodSection());
    m.out.sections.emplace_back("dataset", m.datasetSection(files));
    m.out.sections.emplace_back("output", m.outputSection(files));
    m.out.sections.emplace_back("train", m.trainSection(files));
    ordered_json eval = m.evalSection(files);
    if (!eval.empty())
        m.out.sections.emplace_back("eval", std::move(eval));
    return m.out;
}

std::string llamaFactoryYaml(const LlamaFactoryArgs &args)
{
    std::ostringstream out;
    out << "# LLaMA-Factory training recipe written by FineTune Studio (finetune-cli recipe).\n"
        << "# Launch from this folder: see README.md.\n";
    for (const auto &[name, entries] : args.sections) {
        out << "\n### " << name << '\n';
        for (const auto &[key, value] : entries.items())
            out << key << ": " << yamlValue(value) << '\n';
    }
    return out.str();
}

} // namespace ft
