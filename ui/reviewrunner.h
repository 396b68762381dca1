// Runs the dataset quality review (ft::reviewDataset over ft::StoreReviewRows, then ft::saveReview)
// on a pool thread with its own ProjectStore connection; progress and the outcome come back on
// the GUI thread. Cancel leaves the previous review in place.
#pragma once

#include "backgroundjob.h"

#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

#include <memory>

namespace ft {
class Model;
}

namespace ftui {

class ReviewRunner : public QObject
{
    Q_OBJECT

public:
    explicit ReviewRunner(QObject *parent = nullptr);
    ~ReviewRunner() override; // cancels and waits

    struct Outcome
    {
        enum class Status { Done, Failed, Cancelled };
        Status status = Status::Failed;
        nlohmann::json report;
        QString message;
    };

    // `model` (may be null): its tokenizer counts tokens exactly.
    void start(const QString &projectPath, int64_t datasetId, std::shared_ptr<ft::Model> model);
    void cancel() { m_job.cancel(); }
    bool isRunning() const { return m_job.isRunning(); }

Q_SIGNALS:
    void progressChanged(double fraction, const QString &stage);
    void finished(const nlohmann::json &report);
    void failed(const QString &message);
    void cancelled();

private:
    void onFinished(const Outcome &outcome);

    BackgroundJob<Outcome> m_job; // last: destroyed (cancelled and waited for) first
};

} // namespace ftui
