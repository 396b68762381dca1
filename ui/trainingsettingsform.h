// The Train page's settings form: the data file, the stage (instructions or documents) and chat
// template, the strategy with the LoRA
// options, and the hyper-parameters with the article's defaults, each with a tooltip. Every
// edit goes to the shared TrainingSetup at once; the setup's changes from elsewhere (the
// Strategy page, a project) come back into the widgets.
#pragma once

#include <QList>
#include <QPair>
#include <QWidget>

#include <string>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGridLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace ftui {

class TrainingSetup;

class TrainingSettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingSettingsForm(TrainingSetup *setup, QWidget *parent = nullptr);

    // Asks for the training data (starting in the folder used last time) and fills it in.
    void chooseDataFile();
    // With a project open, the data is one of its datasets (chosen above the form): the data
    // file row hides.
    void setDataFileVisible(bool visible);
    // The hyper-parameters in two label / field pairs per row, or one (narrow windows).
    void setHyperColumns(int columns);
    int hyperColumns() const { return m_hyperColumns; }
    // Local training processes (1: this process's thread; more: torchrun starts that many
    // finetune-cli ranks). A launch setting, not part of the run's configuration.
    int processes() const;

private:
    void addField(QFormLayout *form, const QString &label, QWidget *field, const QString &toolTip);
    void formToSetup();
    void setupToForm();
    void updateStrategyFields();
    void followStrategyLearningRate();

    TrainingSetup *m_setup = nullptr;
    bool m_syncing = false;
    std::string m_lastStrategy;      // what followStrategyLearningRate saw last
    double m_lastLearningRate = 0.0;

    QLineEdit *m_dataPath = nullptr;
    QWidget *m_dataRow = nullptr;
    QFormLayout *m_runForm = nullptr;
    QComboBox *m_stage = nullptr;
    QDoubleSpinBox *m_beta = nullptr;  // dpo / orpo
    QComboBox *m_template = nullptr;
    QComboBox *m_strategy = nullptr;
    QSpinBox *m_loraR = nullptr;
    QDoubleSpinBox *m_loraAlpha = nullptr;
    QDoubleSpinBox *m_loraDropout = nullptr;
    QLineEdit *m_loraTargets = nullptr;
    QWidget *m_loraBox = nullptr;
    QComboBox *m_basePrecision = nullptr;  // the frozen base's format (adapter strategies)
    QCheckBox *m_checkpointing = nullptr;  // gradient_checkpointing
    QDoubleSpinBox *m_learningRate = nullptr;
    QSpinBox *m_batch = nullptr;
    QSpinBox *m_accumulation = nullptr;
    QDoubleSpinBox *m_epochs = nullptr;
    QSpinBox *m_maxSteps = nullptr;
    QDoubleSpinBox *m_warmup = nullptr;
    QComboBox *m_scheduler = nullptr;
    QDoubleSpinBox *m_weightDecay = nullptr;
    QDoubleSpinBox *m_maxGradNorm = nullptr;
    QSpinBox *m_seed = nullptr;
    QSpinBox *m_cutoff = nullptr;
    QSpinBox *m_loggingSteps = nullptr;
    QSpinBox *m_saveSteps = nullptr;
    QDoubleSpinBox *m_valSize = nullptr;
    QSpinBox *m_evalSteps = nullptr;
    QSpinBox *m_processes = nullptr;
    bool m_processesAvailable = false;  // torchrun and finetune-cli found, more than one core or GPU
    QGridLayout *m_hyperGrid = nullptr;
    QList<QPair<QLabel *, QWidget *>> m_hyperFields;
    int m_hyperColumns = 2;
};

} // namespace ftui
