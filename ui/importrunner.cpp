#include "importrunner.h"

#include <ft/error.h>

#include <QFile>

namespace ftui {

ImportRunner::ImportRunner(QObject *parent)
    : QObject(parent), m_job(this, [this](const Outcome &outcome) { onFinished(outcome); })
{
}

ImportRunner::~ImportRunner() = default;

void ImportRunner::start(const QString &projectPath, const QStringList &files, ft::ImportOptions options)
{
    std::vector<std::filesystem::path> paths;
    for (const QString &f : files)
        paths.emplace_back(QFile::encodeName(f).toStdString());
    const std::string project = QFile::encodeName(projectPath).toStdString();
    // The destructor waits for the job, so `this` outlives it.
    m_job.start([this, paths, project, options](const std::atomic<bool> *cancel) mutable -> Outcome {
        ProgressThrottle throttle;
        options.cancel = cancel;
        options.progress = [&](const ft::ImportProgress &p) {
            if (!throttle.due(p.bytesDone >= p.bytesTotal))
                return;
            const double fraction = p.bytesTotal ? double(p.bytesDone) / double(p.bytesTotal) : 0.0;
            const qint64 rows = p.rows;
            QMetaObject::invokeMethod(
                this, [this, fraction, rows] { Q_EMIT progressChanged(fraction, rows); },
                Qt::QueuedConnection);
        };
        Outcome outcome;
        const auto failure = runCatching(
            [&] {
                ft::ProjectStore store(project); // this thread's own connection
                outcome.result = ft::importDataset(store, paths, options);
                outcome.status = Outcome::Status::Imported;
            },
            tr("not enough memory for this import"));
        if (failure) {
            outcome = Outcome{};
            outcome.status = failure->cancelled ? Outcome::Status::Cancelled : Outcome::Status::Failed;
            outcome.message = failure->message;
        }
        return outcome;
    });
}

void ImportRunner::onFinished(const Outcome &outcome)
{
    // An import that committed before Cancel arrived is kept (and reported as imported).
    if (outcome.status == Outcome::Status::Cancelled)
        Q_EMIT cancelled();
    else if (outcome.status == Outcome::Status::Imported)
        Q_EMIT imported(outcome.result);
    else
        Q_EMIT failed(outcome.message);
}

} // namespace ftui
