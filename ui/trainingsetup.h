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

    // A data file, or a project dataset "P.ftproj#name" (see projectDataset). A project dataset
    // chooses the stage from its format: text -> "pt" (documents), instructions -> "sft".
    QString dataPath() const { return m_dataPath; }
    void setDataPath(const QString &path);
    // The dataset name when dataPath names a project dataset, else "".
    QString projectDataset() const;

    // The chat template follows the model (its own when it has one, else alpaca) until a person
    // or the project's saved settings choose one.
    void applyModelTemplate(bool modelHasChatTemplate);

    // The settings as the project stores them, and back (false when `saved` does not parse;
    // nothing changes then).
    nlohmann::json toSaved() const;
    bool restoreSaved(const nlohmann::json &saved);

    // The run's configuration for the engine. A project dataset trains on its train split and
    // evaluates on its validation split (never a second random split: val_size 0); without a
    // split, on all its rows that are not excluded.
    ft::TrainingConfig buildConfig(const QString &modelPath, const QString &outputDir) const;
    // The strategy as the memory estimate sees it.
    ft::MemoryStrategy memoryStrategy() const;

Q_SIGNALS:
    void changed();

private:
    ft::TrainingConfig m_settings;
    QString m_dataPath;
    bool m_templateChosen = false;
};

} // namespace ftui
