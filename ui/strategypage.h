// The Strategy page: how to fine-tune (full, freeze, progressive unfreezing, LoRA, IA3, prompt
// tuning) with each strategy's options, an advisor (the article's rows rule combined with the
// memory estimate for this machine) and the layer map of the open model, coloured by the engine's
// own plan (ft::planTraining). Every change is written to the session's TrainingSetup, so the
// Train page trains what the map shows. This file assembles the parts: the option panels
// (*optionspanel.h), the advisor (strategyadvisor.h), the map (layermappanel.h, layermapedits.h).
#pragma once

#include <ft/modelstructure.h>
#include <ft/trainer.h>

#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QStackedWidget;

namespace ftui {

class LayerMap;
class LoraOptionsPanel;
class OptionsPanel;
class StrategyAdvisor;
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
    QWidget *buildMethodBox();
    void onModelChanged();
    void setupToForm();
    void formToSetup();
    void applySettings(const ft::TrainingConfig &settings);
    void refreshPlan();
    void refreshAdvice();
    void writeClusterRecipe();
    void countDatasetRows();

    StudioSession *m_session;
    TrainingSetup *m_setup;
    bool m_syncing = false;
    ft::ModelStructure m_structure;
    ft::TrainingPlan m_plan;
    QString m_planError;
    QString m_countedDataPath;

    QLabel *m_subtitle = nullptr;
    QComboBox *m_strategy = nullptr;
    QStackedWidget *m_options = nullptr;
    std::vector<OptionsPanel *> m_panels;  // in the choice's order
    LoraOptionsPanel *m_lora = nullptr;
    StrategyAdvisor *m_advisor = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_error = nullptr;
    LayerMap *m_map = nullptr;
};

} // namespace ftui
