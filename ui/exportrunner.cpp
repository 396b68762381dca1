#include "exportrunner.h"

namespace ftui {

ExportRunner::ExportRunner(QObject *parent)
    : QObject(parent), m_job(this, [this](const Outcome &outcome) { onFinished(outcome); })
{
}

ExportRunner::~ExportRunner() = default;

bool ExportRunner::start(const ft::ExportRequest &request)
{
    // The destructor waits for the job, so `this` outlives it.
    return m_job.start([this, request](const std::atomic<bool> *cancel) -> Outcome {
        ProgressThrottle throttle;
        ft::ExportCallbacks callbacks;
        callbacks.stop = cancel;
        callbacks.onProgress = [&](double fraction, const std::string &what) {
            if (!throttle.due(fraction >= 1.0))
                return;
            const QString text = QString::fromStdString(what);
            QMetaObject::invokeMethod(
                this, [this, fraction, text] { Q_EMIT progressChanged(fraction, text); },
                Qt::QueuedConnection);
        };
        Outcome outcome;
        const auto failure = runCatching(
            [&] {
                outcome.result = ft::exportRunAtomically(request, callbacks);
                outcome.status = Outcome::Status::Exported;
            },
            tr("not enough memory for this export"));
        if (failure) {
            outcome = Outcome{};
            outcome.status = failure->cancelled ? Outcome::Status::Cancelled : Outcome::Status::Failed;
            outcome.message = failure->message;
        }
        return outcome;
    });
}

void ExportRunner::onFinished(const Outcome &outcome)
{
    if (outcome.status == Outcome::Status::Exported)
        Q_EMIT exported(outcome.result);
    else if (outcome.status == Outcome::Status::Cancelled)
        Q_EMIT cancelled();
    else
        Q_EMIT failed(outcome.message);
}

} // namespace ftui
