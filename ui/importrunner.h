// Runs ft::importDataset on a pool thread with its own ProjectStore connection and reports back
// on the GUI thread: throttled progress, then imported / failed / cancelled. Cancel stops at the
// next record and the engine rolls the transaction back: nothing is left in the project.
#pragma once

#include "backgroundjob.h"

#include <ft/dataimport.h>

#include <QObject>
#include <QStringList>

namespace ftui {

class ImportRunner : public QObject
{
    Q_OBJECT

public:
    explicit ImportRunner(QObject *parent = nullptr);
    ~ImportRunner() override; // cancels and waits

    struct Outcome
    {
        enum class Status { Imported, Failed, Cancelled };
        Status status = Status::Failed;
        ft::ImportResult result;
        QString message;
    };

    // `options.progress` and `options.cancel` are set here.
    void start(const QString &projectPath, const QStringList &files, ft::ImportOptions options);
    void cancel() { m_job.cancel(); }
    bool isRunning() const { return m_job.isRunning(); }
    // Blocks until the running import has finished (tests, shutdown).
    Outcome waitForFinished() { return m_job.waitForFinished(); }

Q_SIGNALS:
    void progressChanged(double fraction, qint64 rows);
    void imported(const ft::ImportResult &result);
    void failed(const QString &message);
    void cancelled();

private:
    void onFinished(const Outcome &outcome);

    BackgroundJob<Outcome> m_job; // last: destroyed (cancelled and waited for) first
};

} // namespace ftui
