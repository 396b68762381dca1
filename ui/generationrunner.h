// Runs ft::generate off the GUI thread and streams its text back in batches (about 20 Hz, never
// a signal per token). One generation at a time; cancel() stops it at the next token. The Model
// page's "Try the model" panel uses it now, the Compare page will run two side by side.
#pragma once

#include <QFutureWatcher>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>

namespace ft {
class Model;
}

namespace ftui {

struct GenerationRequest
{
    QString prompt;
    bool useChatTemplate = true;  // when the model has one
    int maxNewTokens = 128;
    double temperature = 0.0;
    int topK = 0;
    double topP = 1.0;
    quint64 seed = 0;
    // Apply the model's attached adapter, if any (the Compare page's base side turns it off).
    bool useAdapter = true;
};

struct GenerationStats
{
    int tokens = 0;
    double timeToFirstTokenMs = 0.0;
    double tokensPerSecond = 0.0;
    QString finishReason;
    QString error;  // non-empty when generation failed
};

class GenerationRunner : public QObject
{
    Q_OBJECT

public:
    explicit GenerationRunner(QObject *parent = nullptr);
    ~GenerationRunner() override;  // cancels and waits

    void start(std::shared_ptr<ft::Model> model, const GenerationRequest &request);
    void cancel();
    bool isRunning() const { return m_watcher.isRunning(); }

Q_SIGNALS:
    void textArrived(const QString &text);
    void finished(const GenerationStats &stats);

private:
    void flushPending();
    void onFinished();

    QFutureWatcher<GenerationStats> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QTimer m_flushTimer;
    QMutex m_pendingMutex;
    QString m_pending;  // text produced by the worker, not yet emitted
};

} // namespace ftui
