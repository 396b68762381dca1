// The runs of the open project (or of this session without one), from the shared ProjectRuns:
// name, state, folder, notes. Checking a run overlays its loss curve (read from the run folder's
// metrics.jsonl) on the loss chart. A run's context menu renames it, edits its notes, resumes
// it (stopped or crashed with a checkpoint) and deletes it with its folder.
#pragma once

#include "trainingcharts.h"

#include <QHash>
#include <QSet>
#include <QWidget>

class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace ftui {

class ProjectRuns;

class RunHistory : public QWidget
{
    Q_OBJECT

public:
    explicit RunHistory(ProjectRuns *runs, QWidget *parent = nullptr);

    int count() const;
    qint64 runId(int row) const;
    int rowOf(qint64 runId) const;
    QString runDir(int row) const;
    QString runText(int row) const;
    void setOverlay(int row, bool on);
    // The loss curves of the checked runs.
    QList<RunCurve> checkedCurves() const;
    // A state that only this window knows ("paused at step 4") shown instead of the stored one.
    void setLiveState(qint64 runId, const QString &state);
    // While a run trains, nothing can be resumed.
    void setResumeAllowed(bool allowed);
    void selectRow(int row);

    // The context menu's actions, for the selected run (the dialogs ask first).
    void renameSelected();
    void editNotesSelected();
    void deleteSelected();

    // step -> loss of a run folder's metrics.jsonl (missing or bad lines are skipped).
    static RunCurve readCurve(const QString &name, const QString &runDir);

Q_SIGNALS:
    void overlaysChanged();
    void resumeRequested(qint64 runId);

private:
    void rebuild();
    void updateResumeButton();
    void showMenu(const QPoint &pos);

    ProjectRuns *m_runs = nullptr;
    QListWidget *m_list = nullptr;
    QPushButton *m_resume = nullptr;
    QHash<qint64, QString> m_liveStates;
    bool m_resumeAllowed = true;
};

} // namespace ftui
