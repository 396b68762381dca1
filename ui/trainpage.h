// The Train page: the run's settings (data file, template, strategy, hyper-parameters with the
// article's defaults, each with a tooltip), the memory estimate for them, start / pause /
// resume / stop, live charts, progress with ETA, the trainer's log and the session's runs.
// Training runs in a TrainingWorker thread; the page only reacts to its batched signals.
#pragma once

#include "trainingworker.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTabWidget;

namespace ftui {

class MemoryEstimateCard;
class RunHistory;
class StudioSession;
class TrainingCharts;
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
    State state() const { return m_state; }
    bool isTraining() const { return m_state != State::Idle; }
    QString currentRunDir() const { return m_runDir; }

    TrainingCharts *charts() const { return m_charts; }
    RunHistory *history() const { return m_history; }
    MemoryEstimateCard *memoryCard() const { return m_memory; }
    TrainingSetup *setup() const { return m_setup; }

Q_SIGNALS:
    void stateChanged(ftui::TrainPage::State state);
    // Pause has taken hold: the trainer finished its step and waits.
    void pausedAtStep(qint64 step);
    void trainingFinished(const ftui::TrainingOutcome &outcome);
    void errorOccurred(const QString &message);

private:
    QWidget *createHeader();
    QWidget *createForm();
    QWidget *createActionBar();
    QWidget *createChartToolbar();
    QWidget *createBottomTabs();
    void addField(QFormLayout *form, const QString &label, QWidget *field, const QString &toolTip);
    void formToSetup();
    void setupToForm();
    void updateStrategyFields();
    void updateHeader();
    void updateMemory();
    void setState(State state);
    void updateButtons();
    void appendLog(const QString &line);
    void onPoints(const QList<TrainingPoint> &points);
    void onFinished(const TrainingOutcome &outcome);
    void reportError(const QString &title, const QString &message, const QString &hint);
    void exportPng();
    void exportCsv();
    QString newRunDir(QString *name) const;

    StudioSession *m_session = nullptr;
    TrainingSetup *m_setup = nullptr;
    TrainingWorker *m_worker = nullptr;
    ErrorDisplay m_errorDisplay = ErrorDisplay::Dialog;
    State m_state = State::Idle;
    QString m_runsRoot;
    QString m_runDir;
    int m_historyRow = -1;
    qint64 m_lastStep = 0;
    bool m_syncing = false;

    QLabel *m_subtitle = nullptr;
    QLineEdit *m_dataPath = nullptr;
    QComboBox *m_template = nullptr;
    QComboBox *m_strategy = nullptr;
    QSpinBox *m_loraR = nullptr;
    QDoubleSpinBox *m_loraAlpha = nullptr;
    QDoubleSpinBox *m_loraDropout = nullptr;
    QLineEdit *m_loraTargets = nullptr;
    QWidget *m_loraBox = nullptr;
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
    QWidget *m_form = nullptr;
    MemoryEstimateCard *m_memory = nullptr;

    QPushButton *m_startButton = nullptr;
    QPushButton *m_pauseButton = nullptr;
    QPushButton *m_resumeButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_eta = nullptr;
    TrainingCharts *m_charts = nullptr;
    QSlider *m_smoothing = nullptr;
    QCheckBox *m_logScale = nullptr;
    QPlainTextEdit *m_log = nullptr;
    RunHistory *m_history = nullptr;
    QTabWidget *m_tabs = nullptr;
};

} // namespace ftui
