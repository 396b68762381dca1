#include "trainingsetup.h"

#include <ft/project.h>

#include <exception>

namespace ftui {

TrainingSetup::TrainingSetup(QObject *parent) : QObject(parent)
{
    // The product defaults (docs/training.md) with LoRA on the attention projections; the engine's
    // struct defaults already are the article's values (lr 2e-5, batch 4, accumulation 8, ...).
    m_settings.loggingSteps = 1;  // the live chart wants every step in metrics.jsonl too
}

void TrainingSetup::setSettings(const ft::TrainingConfig &settings)
{
    if (settings.templateName != m_settings.templateName)
        m_templateChosen = true;
    m_settings = settings;
    Q_EMIT changed();
}

void TrainingSetup::setDataPath(const QString &path)
{
    if (path == m_dataPath)
        return;
    m_dataPath = path;
    if (const auto spec = ft::parseProjectDataset(path.toStdString())) {
        try {
            const ft::ProjectStore store(spec->first, /*mustExist=*/true);
            const std::string format = store.dataset(spec->second).format;
            if (format == "text")
                m_settings.stage = "pt";
            else if (format == "alpaca" || format == "sharegpt" || format == "messages")
                m_settings.stage = "sft";
            else if (format == "preference" && m_settings.stage != "orpo")
                m_settings.stage = "dpo";  // pairs: DPO unless ORPO was chosen
        } catch (const std::exception &) {
            // The engine names the problem when the run starts.
        }
    }
    Q_EMIT changed();
}

QString TrainingSetup::projectDataset() const
{
    const auto spec = ft::parseProjectDataset(m_dataPath.toStdString());
    return spec ? QString::fromStdString(spec->second) : QString();
}

void TrainingSetup::applyModelTemplate(bool modelHasChatTemplate)
{
    if (m_templateChosen)
        return;
    const std::string name = modelHasChatTemplate ? "model" : "alpaca";
    if (m_settings.templateName == name)
        return;
    m_settings.templateName = name;
    Q_EMIT changed();
}

nlohmann::json TrainingSetup::toSaved() const
{
    nlohmann::json config = m_settings.toJson();
    for (const char *key : {"model", "data", "output_dir", "data_split", "eval_split"})
        config.erase(key);
    return {{"config", config}, {"data", m_dataPath.toStdString()}};
}

bool TrainingSetup::restoreSaved(const nlohmann::json &saved)
{
    if (!saved.is_object() || !saved.contains("config") || !saved["config"].is_object())
        return false;
    nlohmann::json config = saved["config"];
    // parseTrainingConfig wants the paths; the saved settings have none.
    config["model"] = "-";
    config["data"] = "-";
    config["output_dir"] = "-";
    ft::TrainingConfig parsed;
    try {
        parsed = ft::parseTrainingConfig(config, "the project's Train settings");
    } catch (const std::exception &) {
        return false;
    }
    parsed.model.clear();
    parsed.data.clear();
    parsed.outputDir.clear();
    m_settings = parsed;
    m_templateChosen = true;
    m_dataPath = QString::fromStdString(saved.value("data", std::string()));
    Q_EMIT changed();
    return true;
}

ft::TrainingConfig TrainingSetup::buildConfig(const QString &modelPath,
                                              const QString &outputDir) const
{
    ft::TrainingConfig config = m_settings;
    config.model = modelPath.toStdString();
    config.data = m_dataPath.toStdString();
    config.outputDir = outputDir.toStdString();
    if (const auto spec = ft::parseProjectDataset(config.data)) {
        config.valSize = 0;  // the project's split decides
        config.dataSplit.clear();
        config.evalSplit.clear();
        try {
            const ft::ProjectStore store(spec->first, /*mustExist=*/true);
            const ft::DatasetInfo info = store.dataset(spec->second);
            if (store.hasSplits(info.id)) {
                config.dataSplit = "train";
                if (store.splitCounts(info.id).validation > 0)
                    config.evalSplit = "validation";
            }
        } catch (const std::exception &) {
            // The engine names the problem when the run starts.
        }
    }
    return config;
}

ft::MemoryStrategy TrainingSetup::memoryStrategy() const
{
    ft::MemoryStrategy strategy;
    if (m_settings.strategy == "full") {
        strategy.method = ft::TuningMethod::Full;
    } else if (m_settings.strategy == "freeze" || m_settings.strategy == "progressive") {
        // The share is a rough guess here; the Strategy page shows the engine's exact count.
        strategy.method = ft::TuningMethod::Freeze;
    } else if (m_settings.strategy == "ia3") {
        strategy.method = ft::TuningMethod::Ia3;
    } else if (m_settings.strategy == "prompt_tuning") {
        strategy.method = ft::TuningMethod::PromptTuning;
        strategy.promptTokens = m_settings.promptTuning.numVirtualTokens;
    } else {
        strategy.method = ft::TuningMethod::Lora;
        strategy.loraR = m_settings.lora.r;
        strategy.loraTargets = m_settings.lora.targetRegex.empty()
                                   ? m_settings.lora.targetModules
                                   : std::vector<std::string>{m_settings.lora.targetRegex};
    }
    strategy.basePrecision =
        ft::parseBasePrecision(m_settings.basePrecision).value_or(ft::BasePrecision::Fp32);
    strategy.gradientCheckpointing = m_settings.gradientCheckpointing;
    return strategy;
}

} // namespace ftui
