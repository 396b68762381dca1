// One job at a time on a pool thread, with a cancel flag the job polls; its result comes back on
// the GUI thread. The import and review runners are built on it. Destroying it cancels the job
// and waits for it, so a job may use its owner until then.
#pragma once

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace ftui {

// Lets a progress report through at most every 50 ms, and always the last one: enough for a
// progress bar without flooding the GUI thread's event queue.
class ProgressThrottle
{
public:
    ProgressThrottle() { m_sinceLast.start(); }
    bool due(bool last)
    {
        if (m_sinceLast.elapsed() < kIntervalMs && !last)
            return false;
        m_sinceLast.restart();
        return true;
    }

private:
    static constexpr qint64 kIntervalMs = 50;
    QElapsedTimer m_sinceLast;
};

// What a job that threw means to the person who started it.
struct JobFailure
{
    bool cancelled = false; // ft::Error with ErrorKind::Cancelled
    QString message;
};

// Runs `work`; nothing when it returns, else what it threw, sorted (`outOfMemory` is the message
// for std::bad_alloc, anything else unexpected reads "internal error: ...").
std::optional<JobFailure> runCatching(const std::function<void()> &work, const QString &outOfMemory);

template <typename Result>
class BackgroundJob
{
public:
    using Work = std::function<Result(const std::atomic<bool> *cancel)>;

    // `onFinished` gets the job's result on `context`'s thread.
    BackgroundJob(QObject *context, std::function<void(const Result &)> onFinished)
    {
        QObject::connect(&m_watcher, &QFutureWatcherBase::finished, context,
                         [this, onFinished = std::move(onFinished)] {
                             m_busy = false;
                             onFinished(m_watcher.result());
                         });
    }
    ~BackgroundJob()
    {
        if (m_watcher.isRunning()) {
            m_cancel->store(true);
            m_watcher.disconnect();
            m_watcher.waitForFinished();
        }
    }
    BackgroundJob(const BackgroundJob &) = delete;
    BackgroundJob &operator=(const BackgroundJob &) = delete;

    // Runs `work` on a pool thread; false (and nothing started) while a job runs.
    bool start(Work work)
    {
        if (m_busy)
            return false;
        m_busy = true;
        m_cancel = std::make_shared<std::atomic<bool>>(false);
        m_watcher.setFuture(QtConcurrent::run(
            [cancel = m_cancel, work = std::move(work)] { return work(cancel.get()); }));
        return true;
    }
    void cancel()
    {
        if (m_busy)
            m_cancel->store(true);
    }
    bool isRunning() const { return m_busy; }
    // Blocks until the running job has finished (tests, shutdown).
    Result waitForFinished()
    {
        m_watcher.waitForFinished();
        return m_watcher.future().isValid() ? m_watcher.result() : Result{};
    }

private:
    QFutureWatcher<Result> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_busy = false;
};

} // namespace ftui
