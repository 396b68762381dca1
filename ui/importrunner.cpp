#include "importrunner.h"

#include <ft/error.h>

#include <QElapsedTimer>
#include <QFile>
#include <QtConcurrent/QtConcurrentRun>

#include <new>

namespace ftui {

namespace {

constexpr qint64 kProgressIntervalMs = 50;

using Outcome = ImportRunner::Outcome;

Outcome failure(Outcome::Status status, const QString &message)
{
    Outcome outcome;
    outcome.status = status;
    outcome.message = message;
    return outcome;
}

} // namespace

ImportRunner::ImportRunner(QObject *parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &ImportRunner::onFinished);
}

ImportRunner::~ImportRunner()
{
    if (m_watcher.isRunning()) {
        m_cancel->store(true);
        m_watcher.disconnect(this);
        m_watcher.waitForFinished();
    }
}

void ImportRunner::cancel()
{
    if (m_busy)
        m_cancel->store(true);
}

void ImportRunner::start(const QString &projectPath, const QStringList &files, ft::ImportOptions options)
{
    if (m_busy)
        return;
    m_busy = true;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const std::shared_ptr<std::atomic<bool>> cancelFlag = m_cancel;
    std::vector<std::filesystem::path> paths;
    for (const QString &f : files)
        paths.emplace_back(QFile::encodeName(f).toStdString());
    const std::string project = QFile::encodeName(projectPath).toStdString();
    // The destructor waits for the job, so `this` outlives it.
    auto job = [this, cancelFlag, paths, project, options]() mutable -> Outcome {
        QElapsedTimer sinceLastReport;
        sinceLastReport.start();
        options.cancel = cancelFlag.get();
        options.progress = [&](const ft::ImportProgress &p) {
            if (sinceLastReport.elapsed() < kProgressIntervalMs && p.bytesDone < p.bytesTotal)
                return;
            sinceLastReport.restart();
            const double fraction = p.bytesTotal ? double(p.bytesDone) / double(p.bytesTotal) : 0.0;
            const qint64 rows = p.rows;
            QMetaObject::invokeMethod(
                this, [this, fraction, rows] { Q_EMIT progressChanged(fraction, rows); },
                Qt::QueuedConnection);
        };
        try {
            ft::ProjectStore store(project); // this thread's own connection
            Outcome outcome;
            outcome.result = ft::importDataset(store, paths, options);
            outcome.status = Outcome::Status::Imported;
            return outcome;
        } catch (const ft::Error &e) {
            return failure(e.kind() == ft::ErrorKind::Cancelled ? Outcome::Status::Cancelled
                                                                 : Outcome::Status::Failed,
                           QString::fromStdString(e.what()));
        } catch (const std::bad_alloc &) {
            return failure(Outcome::Status::Failed, tr("not enough memory for this import"));
        } catch (const std::exception &e) {
            return failure(Outcome::Status::Failed,
                           tr("internal error: %1").arg(QString::fromStdString(e.what())));
        }
    };
    m_watcher.setFuture(QtConcurrent::run(job));
}

ImportRunner::Outcome ImportRunner::waitForFinished()
{
    m_watcher.waitForFinished();
    return m_watcher.future().isValid() ? m_watcher.result() : Outcome{};
}

void ImportRunner::onFinished()
{
    const Outcome outcome = m_watcher.result();
    m_busy = false;
    // An import that committed before Cancel arrived is kept (and reported as imported).
    if (outcome.status == Outcome::Status::Cancelled)
        Q_EMIT cancelled();
    else if (outcome.status == Outcome::Status::Imported)
        Q_EMIT imported(outcome.result);
    else
        Q_EMIT failed(outcome.message);
}

} // namespace ftui
