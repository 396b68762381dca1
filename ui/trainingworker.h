// Runs ft::Trainer on its own thread (at nice +10, below the window's thread) and hands the
// step infos and log lines to the GUI thread in batches (a 10 Hz flush, never a signal per
// step), so a fast trainer cannot flood the event loop. Pause holds the trainer between steps;
// stop makes it write a checkpoint and return. One run at a time.
#pragma once

#include <ft/trainer.h>

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>

class QThread;

namespace ftui {

class TorchrunJob;

struct TrainingPoint
{
    qint64 step = 0;
    qint64 totalSteps = 0;
    double epoch = 0.0;
    double loss = 0.0;
    double learningRate = 0.0;
    double gradNorm = 0.0;
    double tokensPerSecond = 0.0;
    double elapsedSeconds = 0.0;
    double etaSeconds = 0.0;
    qint64 memoryBytes = 0;   // the process's resident set after the step
    // Preference runs (dpo / orpo): the step's implicit rewards (TRL's rewards/* metrics).
    bool preference = false;
    double rewardsChosen = 0.0, rewardsRejected = 0.0, rewardsMargin = 0.0, rewardsAccuracy = 0.0;
};

struct EvalPoint
{
    qint64 step = 0;
    double loss = 0.0;
    double perplexity = 0.0;
};

struct TrainingOutcome
{
    bool stopped = false;     // stopped by the user: a checkpoint was written
    bool badInput = false;    // the configuration or the files are wrong (error says why)
    qint64 steps = 0;
    QString outputDir;
    QString finalDir;         // empty when stopped or failed
    QString error;            // empty on success
};

class TrainingWorker : public QObject
{
    Q_OBJECT

public:
    explicit TrainingWorker(QObject *parent = nullptr);
    ~TrainingWorker() override;  // stops and waits

    // `resumeDir`: an earlier run's folder; training continues from its latest checkpoint.
    // `processes` > 1: a data-parallel run of that many local finetune-cli processes under
    // torchrun (TorchrunJob) instead of this process's thread; false with *error when that
    // cannot start.
    bool start(const ft::TrainingConfig &config, const QString &resumeDir = QString(), int processes = 1,
               QString *error = nullptr);
    // Pause holds the in-process trainer only (a several-process run cannot pause).
    void setPaused(bool paused);
    bool canPause() const { return m_job == nullptr; }
    void stop();
    bool isRunning() const;
    bool isPaused() const;
    bool isStopping() const;
    // Blocks until the run has ended (the finished signal still comes from the event loop).
    void wait();

Q_SIGNALS:
    void pointsArrived(const QList<ftui::TrainingPoint> &points);
    void logArrived(const QStringList &lines);
    void evalArrived(const QList<ftui::EvalPoint> &points);
    void finished(const ftui::TrainingOutcome &outcome);
    // After setPaused(true): the trainer has finished its step and holds (at `step`).
    void pauseTookHold(qint64 step);

private:
    struct Shared;
    void flush();
    void onThreadFinished();

    std::shared_ptr<Shared> m_shared;
    QThread *m_thread = nullptr;
    TorchrunJob *m_job = nullptr;  // a several-process run
    QTimer m_flushTimer;
    bool m_holdReported = false;
};

} // namespace ftui

Q_DECLARE_METATYPE(ftui::TrainingOutcome)
