// A run of several local processes: the studio starts PyTorch's torchrun, which starts N
// finetune-cli ranks (data parallel, docs/cluster.md). The run's configuration goes to a
// temporary run.json; the charts follow rank 0's metrics log (output_dir/metrics.jsonl, a point
// every logging_steps), the log shows the ranks' output. Stop asks every rank to stop (SIGTERM:
// they agree on the step, rank 0 writes a checkpoint); an error in any rank ends the run and is
// reported (the first "error:" line any rank printed). The same signals as TrainingWorker's.
#pragma once

#include "torchrunlauncher.h"
#include "trainingworker.h"

#include <QObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

namespace ftui {

class TorchrunJob : public QObject
{
    Q_OBJECT

public:
    explicit TorchrunJob(QObject *parent = nullptr);
    ~TorchrunJob() override;  // stops the ranks and waits (kills them after a grace period)

    // False with the reason in *error when it cannot start (nothing runs then).
    bool start(const TorchrunCommand &command, const ft::TrainingConfig &config, const QString &resumeDir,
               int processes, QString *error);
    void stop();
    bool isRunning() const;
    bool isStopping() const { return m_stopping; }
    // Blocks until torchrun has ended (the finished signal still comes from the event loop).
    void wait();

Q_SIGNALS:
    void pointsArrived(const QList<ftui::TrainingPoint> &points);
    void logArrived(const QStringList &lines);
    void evalArrived(const QList<ftui::EvalPoint> &points);
    void finished(const ftui::TrainingOutcome &outcome);

private:
    void poll();
    void readOutput();
    void readMetrics();
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void signalRanks(int signal) const;

    QProcess *m_process = nullptr;
    std::unique_ptr<QTemporaryDir> m_configDir;
    QTimer m_pollTimer;
    QString m_outputDir;
    qint64 m_metricsOffset = 0;
    QByteArray m_partialOutput;
    QString m_firstError;
    bool m_badInput = false;
    bool m_exitCodeSeen = false;
    bool m_collectingError = false;  // the lines after an "error:" line that are indented
    bool m_stopping = false;
    qint64 m_totalSteps = 0;
    qint64 m_lastStep = 0;
};

} // namespace ftui
