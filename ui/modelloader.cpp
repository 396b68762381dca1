#include "modelloader.h"

#include <ft/error.h>
#include <ft/model.h>

#include <QElapsedTimer>
#include <QFile>
#include <QtConcurrent/QtConcurrentRun>

#include <new>

namespace ftui {

namespace {

constexpr qint64 kProgressIntervalMs = 50; // at most ~20 progress updates a second

using Result = ModelLoader::Result;

Result failure(Result::Status status, const QString &message)
{
    Result result;
    result.status = status;
    result.message = message;
    return result;
}

} // namespace

ModelLoader::ModelLoader(QObject *parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, &ModelLoader::onFinished);
}

ModelLoader::~ModelLoader()
{
    m_pendingPath.clear();
    if (m_watcher.isRunning()) {
        m_cancel->store(true);
        m_watcher.disconnect(this);
        m_watcher.waitForFinished();
    }
}

void ModelLoader::load(const QString &path)
{
    if (m_busy) {
        m_pendingPath = path;
        cancel();
        return;
    }
    start(path);
}

void ModelLoader::cancel()
{
    if (m_busy)
        m_cancel->store(true);
}

void ModelLoader::start(const QString &path)
{
    m_path = path;
    m_busy = true;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const quint64 jobId = ++m_jobId;
    const std::shared_ptr<std::atomic<bool>> cancelFlag = m_cancel;
    // The destructor waits for this job, so `this` outlives it.
    auto job = [this, cancelFlag, jobId, path]() -> Result {
        QElapsedTimer sinceLastReport;
        bool reported = false;
        ft::LoadOptions options;
        options.onProgress = [&](double fraction) {
            if (cancelFlag->load())
                throw ft::Error(ft::ErrorKind::Cancelled, "loading cancelled");
            if (reported && fraction < 1.0 && sinceLastReport.elapsed() < kProgressIntervalMs)
                return;
            reported = true;
            sinceLastReport.start();
            QMetaObject::invokeMethod(
                this,
                [this, jobId, fraction] {
                    if (jobId == m_jobId && !m_cancel->load())
                        Q_EMIT progressChanged(fraction);
                },
                Qt::QueuedConnection);
        };
        try {
            Result result;
            result.model = ft::Model::open(QFile::encodeName(path).toStdString(), options);
            result.status = Result::Status::Loaded;
            return result;
        } catch (const ft::Error &e) {
            const bool wasCancelled = e.kind() == ft::ErrorKind::Cancelled;
            return failure(wasCancelled ? Result::Status::Cancelled : Result::Status::Failed,
                           QString::fromStdString(e.what()));
        } catch (const std::bad_alloc &) {
            return failure(Result::Status::Failed,
                           tr("%1: not enough memory to load this model").arg(path));
        } catch (const std::exception &e) {
            return failure(
                Result::Status::Failed,
                tr("%1: internal error: %2").arg(path, QString::fromStdString(e.what())));
        } catch (...) {
            return failure(Result::Status::Failed, tr("%1: unknown internal error").arg(path));
        }
    };
    m_watcher.setFuture(QtConcurrent::run(job));
    Q_EMIT started(path);
}

void ModelLoader::onFinished()
{
    Result result = m_watcher.result();
    const bool wasCancelled = m_cancel->load() || result.status == Result::Status::Cancelled;
    const QString path = m_path;
    m_busy = false;
    if (wasCancelled) {
        result.model.reset(); // a load that finished after Cancel is discarded
        Q_EMIT cancelled(path);
    } else if (result.status == Result::Status::Loaded) {
        Q_EMIT loaded(result.model, path);
    } else {
        Q_EMIT failed(path, result.message);
    }
    if (!m_pendingPath.isEmpty()) {
        const QString next = m_pendingPath;
        m_pendingPath.clear();
        start(next);
    }
}

} // namespace ftui
