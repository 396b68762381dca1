// Runs one evaluation of the Evaluate page on a pool thread: a benchmark (base and tuned over the
// same questions) or a domain test on a project split (ft/domaintest.h). The job opens its own
// copy of the model (the session's stays free for Compare), attaches the run's adapter, and stores
// the results in the project through its own ProjectStore connection (ft/evalresults.h).
// Progress with an ETA and the outcome come back on the GUI thread; cancel stores nothing.
#pragma once

#include "backgroundjob.h"

#include <QObject>
#include <QString>

#include <cstdint>

namespace ftui {

struct EvaluationRequest
{
    enum class Kind { Benchmark, Domain };
    Kind kind = Kind::Benchmark;
    QString projectPath;
    QString modelPath;
    QString adapterFolder;  // "" = base only
    // Benchmark
    QString benchmarkPath;  // a folder of subjects or a JSONL file
    int shots = 0;
    int limitPerSubject = 0;
    // Domain test
    QString dataset;
    QString split = QStringLiteral("validation");
    int rowLimit = 0;
    int maxNewTokens = 64;
};

class EvaluationRunner : public QObject
{
    Q_OBJECT

public:
    explicit EvaluationRunner(QObject *parent = nullptr);
    ~EvaluationRunner() override;  // cancels and waits

    struct Outcome
    {
        enum class Status { Done, Failed, Cancelled };
        Status status = Status::Failed;
        int64_t evaluationId = 0;
        QString message;
    };

    bool start(const EvaluationRequest &request);
    void cancel() { m_job.cancel(); }
    bool isRunning() const { return m_job.isRunning(); }
    // Blocks until the running job is over (tests).
    void waitForFinished() { m_job.waitForFinished(); }

Q_SIGNALS:
    // fraction 0..1, with "12/40 questions, ETA 8 s".
    void progressChanged(double fraction, const QString &text);
    void finished(qint64 evaluationId);
    void failed(const QString &message);
    void cancelled();

private:
    void onFinished(const Outcome &outcome);

    BackgroundJob<Outcome> m_job;  // last: destroyed (cancelled and waited for) first
};

} // namespace ftui
