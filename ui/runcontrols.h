// The Train page's run controls: Start / Pause / Resume / Stop, the progress bar in steps and a
// status line beside it (time left, epoch, memory in use, or what the run is doing).
#pragma once

#include "trainingworker.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace ftui {

class RunControls : public QWidget
{
    Q_OBJECT

public:
    explicit RunControls(QWidget *parent = nullptr);

    // Which buttons can be pressed now.
    void setActions(bool canStart, bool canPause, bool canResume, bool canStop);
    // Before a run: the planned steps (0: not known) and the run's estimated time (< 0: not
    // known), so that the bar reads "0 / 1,233 steps" rather than "0 / 1".
    void showPlan(qint64 steps, double runSeconds);
    // A new run: no steps yet (of the planned ones), and `status`.
    void reset(const QString &status);
    void setStatus(const QString &text);
    // The latest step: progress, epoch, time left and memory in use.
    void showStep(const TrainingPoint &point);
    void showCompleted();

Q_SIGNALS:
    void startClicked();
    void pauseClicked();
    void resumeClicked();
    void stopClicked();

private:
    QPushButton *m_startButton = nullptr;
    QPushButton *m_pauseButton = nullptr;
    QPushButton *m_resumeButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_eta = nullptr;
    qint64 m_plannedSteps = 0;
};

} // namespace ftui
