#include "trainingsetup.h"

namespace ftui {

TrainingSetup::TrainingSetup(QObject *parent) : QObject(parent)
{
    // The product defaults (docs/training.md) with LoRA on the attention projections; the engine's
    // struct defaults already are the article's values (lr 2e-5, batch 4, accumulation 8, ...).
    m_settings.loggingSteps = 1;  // the live chart wants every step in metrics.jsonl too
}

void TrainingSetup::setSettings(const ft::TrainingConfig &settings)
{
    m_settings = settings;
    Q_EMIT changed();
}

void TrainingSetup::setDataPath(const QString &path)
{
    if (path == m_dataPath)
        return;
    m_dataPath = path;
    Q_EMIT changed();
}

ft::TrainingConfig TrainingSetup::buildConfig(const QString &modelPath,
                                              const QString &outputDir) const
{
    ft::TrainingConfig config = m_settings;
    config.model = modelPath.toStdString();
    config.data = m_dataPath.toStdString();
    config.outputDir = outputDir.toStdString();
    return config;
}

ft::MemoryStrategy TrainingSetup::memoryStrategy() const
{
    ft::MemoryStrategy strategy;
    if (m_settings.strategy == "full") {
        strategy.method = ft::TuningMethod::Full;
    } else {
        strategy.method = ft::TuningMethod::Lora;
        strategy.loraR = m_settings.lora.r;
        strategy.loraTargets = m_settings.lora.targetRegex.empty()
                                   ? m_settings.lora.targetModules
                                   : std::vector<std::string>{m_settings.lora.targetRegex};
    }
    return strategy;
}

} // namespace ftui
