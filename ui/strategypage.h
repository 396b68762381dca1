// The Strategy page: how to fine-tune (full, freeze, progressive unfreezing, LoRA, IA3, prompt
// tuning) with each strategy's options, an advisor (the article's rows rule combined with the
// memory estimate for this machine) and the layer map of the open model, coloured by the engine's
// own plan (ft::planTraining). Every change is written to the session's TrainingSetup, so the
// Train page trains what the map shows.
#pragma once

#include <ft/modelstructure.h>
#include <ft/trainer.h>

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace ftui {

class LayerMap;
class StudioSession;
class TrainingSetup;

class StrategyPage : public QWidget
{
    Q_OBJECT

public:
    explicit StrategyPage(StudioSession *session, QWidget *parent = nullptr);

    LayerMap *layerMap() const { return m_map; }
    // "full", "freeze", "progressive", "lora", "ia3", "prompt_tuning".
    void setStrategy(const QString &strategy);
    QString strategy() const;
    // The engine's plan for the current setup (empty parts when there is no model or it failed).
    const ft::TrainingPlan &plan() const { return m_plan; }
    QString planError() const { return m_planError; }
    QString summaryText() const;
    QString adviceText() const;
    // The advisor's dataset size (the data file's rows when known).
    void setDatasetRows(qint64 rows);

    // The strategy the advisor recommends for a dataset of `rows` rows, before the memory check:
    // the article's rule.
    static QString advisedStrategy(qint64 rows);

private:
    QWidget *buildOptions();
    QWidget *buildAdvisor();
    QWidget *buildMapPanel();
    void onModelChanged();
    void setupToForm();
    void formToSetup();
    void refreshPlan();
    void refreshAdvice();
    void rebuildLoraTargets();
    void onPartsToggled(const QStringList &ids, bool trainable);
    void onLoraModuleToggled(const QString &module);
    void applyAdvice();
    void countDatasetRows();

    StudioSession *m_session;
    TrainingSetup *m_setup;
    bool m_syncing = false;
    ft::ModelStructure m_structure;
    ft::TrainingPlan m_plan;
    QString m_planError;
    QString m_advised;
    QString m_countedDataPath;

    QLabel *m_subtitle = nullptr;
    QComboBox *m_strategy = nullptr;
    QStackedWidget *m_options = nullptr;
    // freeze
    QComboBox *m_freezeSelection = nullptr;
    QSpinBox *m_freezeCount = nullptr;
    QLineEdit *m_freezeBlocks = nullptr;
    QCheckBox *m_freezeModules[3] = {};
    QCheckBox *m_freezeExtra[3] = {};
    QLineEdit *m_freezePatterns = nullptr;
    // progressive
    QSpinBox *m_progInitial = nullptr;
    QSpinBox *m_progStages = nullptr;
    QSpinBox *m_progBlocksPerStage = nullptr;
    QDoubleSpinBox *m_progLrFactor = nullptr;
    // lora
    QSpinBox *m_loraR = nullptr;
    QDoubleSpinBox *m_loraAlpha = nullptr;
    QDoubleSpinBox *m_loraDropout = nullptr;
    QWidget *m_loraTargetBox = nullptr;
    QList<QCheckBox *> m_loraTargets;
    QCheckBox *m_loraAllLinear = nullptr;
    // ia3
    QLineEdit *m_ia3Targets = nullptr;
    QLineEdit *m_ia3Feedforward = nullptr;
    // prompt tuning
    QSpinBox *m_ptTokens = nullptr;
    QComboBox *m_ptInit = nullptr;
    QLineEdit *m_ptText = nullptr;

    QSpinBox *m_rows = nullptr;
    QLabel *m_advice = nullptr;
    QPushButton *m_applyAdvice = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_error = nullptr;
    LayerMap *m_map = nullptr;
};

} // namespace ftui
