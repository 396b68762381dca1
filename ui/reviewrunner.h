// Runs the dataset quality review (ft::reviewDataset over ft::reviewRowsOf, then ft::saveReview)
// on a pool thread with its own ProjectStore connection; progress and the outcome come back on
// the GUI thread. Cancel leaves the previous review in place.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

#include <atomic>
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
    void cancel();
    bool isRunning() const { return m_busy; }

Q_SIGNALS:
    void progressChanged(double fraction, const QString &stage);
    void finished(const nlohmann::json &report);
    void failed(const QString &message);
    void cancelled();

private:
    void onFinished();

    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_busy = false;
};

} // namespace ftui
