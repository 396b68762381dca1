#include "reviewrunner.h"

#include <ft/error.h>
#include <ft/model.h>
#include <ft/project.h>
#include <ft/review.h>
#include <ft/reviewstore.h>

#include <QFile>

namespace ftui {

ReviewRunner::ReviewRunner(QObject *parent)
    : QObject(parent), m_job(this, [this](const Outcome &outcome) { onFinished(outcome); })
{
}

ReviewRunner::~ReviewRunner() = default;

void ReviewRunner::start(const QString &projectPath, int64_t datasetId, std::shared_ptr<ft::Model> model)
{
    const std::string project = QFile::encodeName(projectPath).toStdString();
    // The destructor waits for the job, so `this` outlives it.
    m_job.start([this, project, datasetId, model](const std::atomic<bool> *cancel) -> Outcome {
        Outcome outcome;
        const auto failure = runCatching(
            [&] {
                ft::ProjectStore store(project, true); // this thread's own connection
                ft::ReviewOptions options;
                options.cancel = cancel;
                const ft::Tokenizer *tokenizer = model ? model->tokenizer() : nullptr;
                options.tokenizer = tokenizer; // the template stays "alpaca", as the trainer's default
                ProgressThrottle throttle;
                options.progress = [&](double fraction, const std::string &stage) {
                    if (!throttle.due(fraction >= 1.0))
                        return;
                    const QString name = QString::fromStdString(stage);
                    QMetaObject::invokeMethod(
                        this, [this, fraction, name] { Q_EMIT progressChanged(fraction, name); },
                        Qt::QueuedConnection);
                };
                const ft::ReviewResult result =
                    ft::reviewDataset(ft::StoreReviewRows(store, datasetId), options);
                if (cancel->load())
                    throw ft::Error(ft::ErrorKind::Cancelled, "review cancelled");
                ft::saveReview(store, datasetId, result);
                outcome.status = Outcome::Status::Done;
                outcome.report = result.report;
            },
            tr("not enough memory for this review"));
        if (failure) {
            outcome.status = failure->cancelled ? Outcome::Status::Cancelled : Outcome::Status::Failed;
            outcome.message = failure->message;
        }
        return outcome;
    });
}

void ReviewRunner::onFinished(const Outcome &outcome)
{
    if (outcome.status == Outcome::Status::Done)
        Q_EMIT finished(outcome.report);
    else if (outcome.status == Outcome::Status::Cancelled)
        Q_EMIT cancelled();
    else
        Q_EMIT failed(outcome.message);
}

} // namespace ftui
