// What the next training run will be: hyper-parameters, strategy, data file. One object per
// session that every page writes to (the Train page's form now; the Strategy and Data pages
// later), and the one place where the engine's TrainingConfig is built.
#pragma once

#include <ft/memoryestimate.h>
#include <ft/trainer.h>

#include <QObject>
#include <QString>

namespace ftui {

class TrainingSetup : public QObject
{
    Q_OBJECT

public:
    explicit TrainingSetup(QObject *parent = nullptr);

    // Hyper-parameters and strategy (model, data and output_dir are filled by buildConfig).
    const ft::TrainingConfig &settings() const { return m_settings; }
    void setSettings(const ft::TrainingConfig &settings);

    QString dataPath() const { return m_dataPath; }
    void setDataPath(const QString &path);

    // The run's configuration for the engine.
    ft::TrainingConfig buildConfig(const QString &modelPath, const QString &outputDir) const;
    // The strategy as the memory estimate sees it.
    ft::MemoryStrategy memoryStrategy() const;

Q_SIGNALS:
    void changed();

private:
    ft::TrainingConfig m_settings;
    QString m_dataPath;
};

} // namespace ftui
