// Opens a model (ft::Model::open) on a pool thread and reports back on the GUI thread: throttled
// progress, then loaded / failed / cancelled. One load at a time; load() while busy cancels the
// running one and starts the new one when it has stopped.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace ft {
class Model;
}

namespace ftui {

class ModelLoader : public QObject
{
    Q_OBJECT

public:
    explicit ModelLoader(QObject *parent = nullptr);
    // Cancels a running load and waits for its thread (it stops at the next tensor).
    ~ModelLoader() override;

    void load(const QString &path);
    // The engine stops at the next tensor it reads; cancelled() follows when it has.
    void cancel();
    // True from load() until loaded / failed / cancelled has been emitted.
    bool isLoading() const { return m_busy; }
    QString path() const { return m_path; }

    struct Result
    {
        enum class Status { Loaded, Failed, Cancelled };
        Status status = Status::Failed;
        std::shared_ptr<ft::Model> model;
        QString message;
    };

Q_SIGNALS:
    void started(const QString &path);
    void progressChanged(double fraction);
    void loaded(const std::shared_ptr<ft::Model> &model, const QString &path);
    void failed(const QString &path, const QString &message);
    void cancelled(const QString &path);

private:
    void start(const QString &path);
    void onFinished();

    QFutureWatcher<Result> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QString m_path;
    QString m_pendingPath;
    quint64 m_jobId = 0;
    bool m_busy = false;
};

} // namespace ftui
