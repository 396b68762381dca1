// The Export page's background job: ft::exportRunAtomically on a pool thread, its progress
// throttled to the GUI thread, Cancel through the job's stop flag (the engine then removes its
// temporary folder, so nothing is left behind).
#pragma once

#include "backgroundjob.h"

#include <ft/runexport.h>

#include <QObject>
#include <QString>

namespace ftui {

class ExportRunner : public QObject
{
    Q_OBJECT

public:
    struct Outcome
    {
        enum class Status { None, Exported, Cancelled, Failed } status = Status::None;
        ft::RunExportResult result;
        QString message;
    };

    explicit ExportRunner(QObject *parent = nullptr);
    ~ExportRunner() override;

    // False while an export runs.
    bool start(const ft::ExportRequest &request);
    void cancel() { m_job.cancel(); }
    bool isRunning() const { return m_job.isRunning(); }
    // Blocks until the running export is over (tests).
    void waitForFinished() { m_job.waitForFinished(); }

Q_SIGNALS:
    void progressChanged(double fraction, const QString &what);
    void exported(const ft::RunExportResult &result);
    void cancelled();
    void failed(const QString &message);

private:
    void onFinished(const Outcome &outcome);

    BackgroundJob<Outcome> m_job;
};

} // namespace ftui
