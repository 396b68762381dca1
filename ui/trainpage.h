// The Train page: the run's settings (data file, template, strategy, hyper-parameters with the
// article's defaults, each with a tooltip), the memory estimate for them, start / pause /
// resume / stop, live charts, progress with ETA, the trainer's log and the session's runs.
// Training runs in a TrainingWorker thread; the page only reacts to its batched signals.
#pragma once

#include "trainingworker.h"

#include <QWidget>

class QLabel;
class QTabWidget;

namespace ftui {

class ChartToolbar;
class DatasetPicker;
class MemoryEstimateCard;
class RunControls;
class RunHistory;
class StepTimeCard;
class StudioSession;
class TrainingCharts;
class TrainingLog;
class TrainingSettingsForm;
class TrainingSetup;

class TrainPage : public QWidget
{
    Q_OBJECT

public:
    enum class ErrorDisplay { Dialog, SignalOnly };
    enum class State { Idle, Running, Paused, Stopping };

    explicit TrainPage(StudioSession *session, QWidget *parent = nullptr);
    ~TrainPage() override;

    void setErrorDisplay(ErrorDisplay display) { m_errorDisplay = display; }
    // Where run folders go (default: the application data folder's runs/).
    void setRunsRoot(const QString &dir) { m_runsRoot = dir; }
    QString runsRoot() const { return m_runsRoot; }

    void start();
    void pause();
    void resume();
    void stop();
    void chooseDataFile();
    // Continues a stopped or crashed run of the project from its last checkpoint, in its own
    // folder; the chart shows its curve so far and continues it. False (and the reason shown)
    // when it cannot.
    bool resumeRun(qint64 runId);
    // The project run this page trains now, or trained last (0: none yet).
    qint64 currentRunId() const { return m_runId; }
    State state() const { return m_state; }
    bool isTraining() const { return m_state != State::Idle; }
    QString currentRunDir() const { return m_runDir; }

    TrainingCharts *charts() const { return m_charts; }
    RunHistory *history() const { return m_history; }
    MemoryEstimateCard *memoryCard() const { return m_memory; }
    TrainingSetup *setup() const { return m_setup; }
    DatasetPicker *datasetPicker() const { return m_datasetPicker; }
    StepTimeCard *stepTimeCard() const { return m_stepTime; }

Q_SIGNALS:
    void stateChanged(ftui::TrainPage::State state);
    // Pause has taken hold: the trainer finished its step and waits.
    void pausedAtStep(qint64 step);
    void trainingFinished(const ftui::TrainingOutcome &outcome);
    void errorOccurred(const QString &message);
    // "Import a file first…": the Data page imports into the project.
    void importRequested();

private:
    QWidget *createHeader();
    QWidget *createSettingsColumn();
    QWidget *createBottomTabs();
    void updateHeader();
    void updateMemory();
    void setState(State state);
    void updateButtons();
    void onPoints(const QList<TrainingPoint> &points);
    void onFinished(const TrainingOutcome &outcome);
    void reportError(const QString &title, const QString &message, const QString &hint);
    QString newRunDir(QString *name) const;
    void beginRun(const ft::TrainingConfig &config, const QString &resumeDir);
    void onProjectChanged();
    bool lastRunResumable() const;
    void recordCheckpoint();

    StudioSession *m_session = nullptr;
    TrainingSetup *m_setup = nullptr;
    TrainingWorker *m_worker = nullptr;
    ErrorDisplay m_errorDisplay = ErrorDisplay::Dialog;
    State m_state = State::Idle;
    QString m_runsRoot;
    QString m_runDir;
    qint64 m_runId = 0;
    qint64 m_lastStep = 0;
    double m_lastLoss = 0.0;
    qint64 m_totalSteps = 0;

    QLabel *m_subtitle = nullptr;
    TrainingSettingsForm *m_settings = nullptr;
    MemoryEstimateCard *m_memory = nullptr;
    StepTimeCard *m_stepTime = nullptr;
    QWidget *m_form = nullptr; // the settings and the memory card: disabled while training
    RunControls *m_controls = nullptr;
    TrainingCharts *m_charts = nullptr;
    ChartToolbar *m_chartToolbar = nullptr;
    TrainingLog *m_log = nullptr;
    RunHistory *m_history = nullptr;
    DatasetPicker *m_datasetPicker = nullptr;
    QTabWidget *m_tabs = nullptr;
};

} // namespace ftui
