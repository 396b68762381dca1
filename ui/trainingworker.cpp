#include "trainingworker.h"

#include "torchrunjob.h"

#include <ft/error.h>

#include <QThread>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace ftui {

namespace {

constexpr int kFlushIntervalMs = 100;
// The trainer (and the OpenMP threads it starts, which inherit it) runs at nice +10 so that the
// window's thread wins the CPU when it wakes (docs/benchmarks.md: a shorter stall tail); on
// an otherwise idle machine training still gets every core. FT_TRAINER_NICE overrides.
int trainerNice()
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue("FT_TRAINER_NICE", &ok);
    return ok ? value : 10;
}

} // namespace

struct TrainingWorker::Shared
{
    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::atomic<bool> pause{false};  // the trainer waits between steps while set
    bool held = false;               // the trainer said it is waiting
    qint64 heldStep = 0;
    QList<TrainingPoint> points;
    QList<EvalPoint> evals;
    QStringList log;
    TrainingOutcome outcome;
};

namespace {

class Observer : public ft::TrainingObserver
{
public:
    Observer(std::mutex &mutex, bool &held, qint64 &heldStep, QList<TrainingPoint> &points,
             QList<EvalPoint> &evals, QStringList &log)
        : m_mutex(mutex), m_held(held), m_heldStep(heldStep), m_points(points), m_evals(evals),
          m_log(log)
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
        p.memoryBytes = info.memoryBytes;
        for (const auto &[name, value] : info.stageMetrics) {
            p.preference = true;
            if (name == "rewards/chosen")
                p.rewardsChosen = value;
            else if (name == "rewards/rejected")
                p.rewardsRejected = value;
            else if (name == "rewards/margins")
                p.rewardsMargin = value;
            else if (name == "rewards/accuracies")
                p.rewardsAccuracy = value;
        }
        std::lock_guard lock(m_mutex);
        m_points.append(p);
    }

    void onEval(const ft::TrainingEvalInfo &info) override
    {
        std::lock_guard lock(m_mutex);
        m_evals.append({info.step, info.loss, info.perplexity});
    }

    void onLog(const std::string &text) override
    {
        // The trainer announces that its pause took hold ("paused at step N", trainer.cpp).
        static const std::string kPaused = "paused at step ";
        std::lock_guard lock(m_mutex);
        if (text.rfind(kPaused, 0) == 0) {
            m_held = true;
            m_heldStep = std::atoll(text.c_str() + kPaused.size());
        }
        m_log.append(QString::fromStdString(text));
    }

private:
    std::mutex &m_mutex;
    bool &m_held;
    qint64 &m_heldStep;
    QList<TrainingPoint> &m_points;
    QList<EvalPoint> &m_evals;
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
    delete m_job;  // stops its ranks and waits
    if (m_thread) {
        stop();
        m_thread->disconnect(this);
        m_thread->wait();
        delete m_thread;
    }
}

bool TrainingWorker::isRunning() const
{
    return m_thread != nullptr || m_job != nullptr;
}

bool TrainingWorker::start(const ft::TrainingConfig &config, const QString &resumeDir, int processes,
                           QString *error)
{
    if (isRunning())
        return false;
    if (processes > 1) {
        auto *job = new TorchrunJob(this);
        connect(job, &TorchrunJob::pointsArrived, this, &TrainingWorker::pointsArrived);
        connect(job, &TorchrunJob::logArrived, this, &TrainingWorker::logArrived);
        connect(job, &TorchrunJob::evalArrived, this, &TrainingWorker::evalArrived);
        connect(job, &TorchrunJob::finished, this, [this](const TrainingOutcome &outcome) {
            m_job->deleteLater();
            m_job = nullptr;
            Q_EMIT finished(outcome);
        });
        QString why;
        if (!job->start(findTorchrun(), config, resumeDir, processes, &why)) {
            delete job;
            if (error)
                *error = why;
            return false;
        }
        m_job = job;
        return true;
    }
    m_shared = std::make_shared<Shared>();
    m_holdReported = false;
    m_shared->outcome.outputDir = QString::fromStdString(config.outputDir);
    const std::shared_ptr<Shared> shared = m_shared;
    const std::string resumeFrom = resumeDir.toStdString();
    m_thread = QThread::create([shared, config, resumeFrom] {
        if (const int nice = trainerNice(); nice != 0)
            setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
        Observer observer(shared->mutex, shared->held, shared->heldStep, shared->points,
                          shared->evals, shared->log);
        TrainingOutcome outcome;
        outcome.outputDir = QString::fromStdString(config.outputDir);
        try {
            ft::Trainer trainer(config, resumeFrom, &observer);
            const ft::TrainingResult result =
                trainer.run(&observer, &shared->stop, &shared->pause);
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
    return true;
}

void TrainingWorker::setPaused(bool paused)
{
    if (!m_shared || m_job)
        return;
    std::lock_guard lock(m_shared->mutex);
    m_shared->pause = paused;
    if (!paused)
        m_shared->held = false;
}

void TrainingWorker::stop()
{
    if (m_job) {
        m_job->stop();
        return;
    }
    if (!m_shared)
        return;
    m_shared->stop = true;
}

bool TrainingWorker::isPaused() const
{
    if (!m_shared || !m_thread)
        return false;
    return m_shared->pause.load();
}

bool TrainingWorker::isStopping() const
{
    if (m_job)
        return m_job->isStopping();
    return m_thread && m_shared && m_shared->stop.load();
}

void TrainingWorker::wait()
{
    if (m_job)
        m_job->wait();
    if (m_thread)
        m_thread->wait();
}

void TrainingWorker::flush()
{
    if (!m_shared)
        return;
    QList<TrainingPoint> points;
    QList<EvalPoint> evals;
    QStringList log;
    bool held = false;
    qint64 heldStep = 0;
    {
        std::lock_guard lock(m_shared->mutex);
        points.swap(m_shared->points);
        evals.swap(m_shared->evals);
        log.swap(m_shared->log);
        held = m_shared->held && m_shared->pause;
        heldStep = m_shared->heldStep;
    }
    if (!points.isEmpty())
        Q_EMIT pointsArrived(points);
    if (!evals.isEmpty())
        Q_EMIT evalArrived(evals);
    if (!log.isEmpty())
        Q_EMIT logArrived(log);
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
