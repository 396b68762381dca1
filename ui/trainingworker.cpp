#include "trainingworker.h"

#include <ft/error.h>

#include <QThread>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace ftui {

namespace {

constexpr int kFlushIntervalMs = 100;
// Training yields the CPU to the window: the GUI thread keeps its nice value, the trainer (and
// the OpenMP threads it starts, which inherit it) runs at this one.
constexpr int kTrainerNice = 10;

} // namespace

struct TrainingWorker::Shared
{
    std::mutex mutex;
    std::condition_variable wake;
    std::atomic<bool> stop{false};
    bool paused = false;
    bool held = false;       // the trainer waits in onStep
    qint64 heldStep = 0;
    QList<TrainingPoint> points;
    QStringList log;
    TrainingOutcome outcome;
};

namespace {

class Observer : public ft::TrainingObserver
{
public:
    Observer(std::mutex &mutex, std::condition_variable &wake, std::atomic<bool> &stop,
             bool &paused, bool &held, qint64 &heldStep, QList<TrainingPoint> &points,
             QStringList &log)
        : m_mutex(mutex), m_wake(wake), m_stop(stop), m_paused(paused), m_held(held),
          m_heldStep(heldStep), m_points(points), m_log(log)
    {
    }

    void onStep(const ft::TrainingStepInfo &info) override
    {
        TrainingPoint p;
        p.step = info.step;
        p.totalSteps = info.totalSteps;
        p.epoch = info.epoch;
        p.loss = info.loss;
        p.learningRate = info.learningRate;
        p.gradNorm = info.gradNorm;
        p.tokensPerSecond = info.tokensPerSecond;
        p.elapsedSeconds = info.elapsedSeconds;
        p.etaSeconds = info.etaSeconds;
        std::unique_lock lock(m_mutex);
        m_points.append(p);
        // Called between optimiser steps: holding here pauses the trainer.
        m_held = true;
        m_heldStep = info.step;
        m_wake.wait(lock, [this] { return !m_paused || m_stop.load(); });
        m_held = false;
    }

    void onLog(const std::string &text) override
    {
        std::lock_guard lock(m_mutex);
        m_log.append(QString::fromStdString(text));
    }

private:
    std::mutex &m_mutex;
    std::condition_variable &m_wake;
    std::atomic<bool> &m_stop;
    bool &m_paused;
    bool &m_held;
    qint64 &m_heldStep;
    QList<TrainingPoint> &m_points;
    QStringList &m_log;
};

} // namespace

TrainingWorker::TrainingWorker(QObject *parent) : QObject(parent)
{
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &TrainingWorker::flush);
}

TrainingWorker::~TrainingWorker()
{
    if (m_thread) {
        stop();
        m_thread->disconnect(this);
        m_thread->wait();
        delete m_thread;
    }
}

void TrainingWorker::start(const ft::TrainingConfig &config)
{
    if (m_thread)
        return;
    m_shared = std::make_shared<Shared>();
    m_holdReported = false;
    m_shared->outcome.outputDir = QString::fromStdString(config.outputDir);
    const std::shared_ptr<Shared> shared = m_shared;
    m_thread = QThread::create([shared, config] {
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kTrainerNice);
        Observer observer(shared->mutex, shared->wake, shared->stop, shared->paused,
                          shared->held, shared->heldStep, shared->points, shared->log);
        TrainingOutcome outcome;
        outcome.outputDir = QString::fromStdString(config.outputDir);
        try {
            ft::Trainer trainer(config, {}, &observer);
            const ft::TrainingResult result = trainer.run(&observer, &shared->stop);
            outcome.stopped = result.stopped;
            outcome.steps = result.steps;
            outcome.finalDir = QString::fromStdString(result.finalDir.string());
        } catch (const ft::Error &e) {
            outcome.badInput = e.kind() == ft::ErrorKind::BadInput;
            outcome.error = QString::fromStdString(e.what());
        } catch (const std::exception &e) {
            outcome.error = QString::fromStdString(e.what());
        }
        std::lock_guard lock(shared->mutex);
        shared->outcome = outcome;
    });
    connect(m_thread, &QThread::finished, this, &TrainingWorker::onThreadFinished);
    m_thread->start();
    m_flushTimer.start();
}

void TrainingWorker::setPaused(bool paused)
{
    if (!m_shared)
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->paused = paused;
    }
    m_shared->wake.notify_all();
}

void TrainingWorker::stop()
{
    if (!m_shared)
        return;
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->stop = true;
    }
    m_shared->wake.notify_all();
}

bool TrainingWorker::isPaused() const
{
    if (!m_shared || !m_thread)
        return false;
    std::lock_guard lock(m_shared->mutex);
    return m_shared->paused;
}

bool TrainingWorker::isStopping() const
{
    return m_thread && m_shared && m_shared->stop.load();
}

void TrainingWorker::wait()
{
    if (m_thread)
        m_thread->wait();
}

void TrainingWorker::flush()
{
    if (!m_shared)
        return;
    QList<TrainingPoint> points;
    QStringList log;
    bool held = false;
    qint64 heldStep = 0;
    {
        std::lock_guard lock(m_shared->mutex);
        points.swap(m_shared->points);
        log.swap(m_shared->log);
        held = m_shared->held && m_shared->paused;
        heldStep = m_shared->heldStep;
    }
    if (!log.isEmpty())
        Q_EMIT logArrived(log);
    if (!points.isEmpty())
        Q_EMIT pointsArrived(points);
    if (held && !m_holdReported)
        Q_EMIT pauseTookHold(heldStep);
    m_holdReported = held;
}

void TrainingWorker::onThreadFinished()
{
    m_flushTimer.stop();
    flush();
    TrainingOutcome outcome;
    {
        std::lock_guard lock(m_shared->mutex);
        outcome = m_shared->outcome;
    }
    m_thread->deleteLater();
    m_thread = nullptr;
    Q_EMIT finished(outcome);
}

} // namespace ftui
