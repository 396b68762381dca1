#include "reviewrunner.h"

#include <ft/error.h>
#include <ft/model.h>
#include <ft/project.h>
#include <ft/review.h>
#include <ft/reviewstore.h>

#include <QElapsedTimer>
#include <QFile>
#include <QtConcurrent/QtConcurrentRun>

namespace ftui {

ReviewRunner::ReviewRunner(QObject *parent) : QObject(parent)
{
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &ReviewRunner::onFinished);
}

ReviewRunner::~ReviewRunner()
{
    if (m_watcher.isRunning()) {
        m_cancel->store(true);
        m_watcher.disconnect(this);
        m_watcher.waitForFinished();
    }
}

void ReviewRunner::cancel()
{
    if (m_busy)
        m_cancel->store(true);
}

void ReviewRunner::start(const QString &projectPath, int64_t datasetId, std::shared_ptr<ft::Model> model)
{
    if (m_busy)
        return;
    m_busy = true;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const auto cancelFlag = m_cancel;
    const std::string project = QFile::encodeName(projectPath).toStdString();
    auto job = [this, cancelFlag, project, datasetId, model]() -> Outcome {
        Outcome outcome;
        try {
            ft::ProjectStore store(project, true); // this thread's own connection
            ft::ReviewOptions options;
            options.cancel = cancelFlag.get();
            const ft::Tokenizer *tokenizer = model ? model->tokenizer() : nullptr;
            options.tokenizer = tokenizer; // the template stays "alpaca", as the trainer's default
            QElapsedTimer sinceLastReport;
            sinceLastReport.start();
            options.progress = [&](double fraction, const std::string &stage) {
                if (sinceLastReport.elapsed() < 50 && fraction < 1.0)
                    return;
                sinceLastReport.restart();
                const QString name = QString::fromStdString(stage);
                QMetaObject::invokeMethod(
                    this, [this, fraction, name] { Q_EMIT progressChanged(fraction, name); },
                    Qt::QueuedConnection);
            };
            const ft::ReviewResult result = ft::reviewDataset(ft::reviewRowsOf(store, datasetId), options);
            if (cancelFlag->load())
                throw ft::Error(ft::ErrorKind::Cancelled, "review cancelled");
            ft::saveReview(store, datasetId, result);
            outcome.status = Outcome::Status::Done;
            outcome.report = result.report;
        } catch (const ft::Error &e) {
            outcome.status = e.kind() == ft::ErrorKind::Cancelled ? Outcome::Status::Cancelled
                                                                  : Outcome::Status::Failed;
            outcome.message = QString::fromStdString(e.what());
        } catch (const std::exception &e) {
            outcome.message = tr("internal error: %1").arg(QString::fromStdString(e.what()));
        }
        return outcome;
    };
    m_watcher.setFuture(QtConcurrent::run(job));
}

void ReviewRunner::onFinished()
{
    const Outcome outcome = m_watcher.result();
    m_busy = false;
    if (outcome.status == Outcome::Status::Done)
        Q_EMIT finished(outcome.report);
    else if (outcome.status == Outcome::Status::Cancelled)
        Q_EMIT cancelled();
    else
        Q_EMIT failed(outcome.message);
}

} // namespace ftui
