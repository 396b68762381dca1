// The runs of this session (later: of the project): name, state, folder. Checking a run overlays
// its loss curve (read from the run folder's metrics.jsonl) on the loss chart.
#pragma once

#include "trainingcharts.h"

#include <QWidget>

class QListWidget;
class QListWidgetItem;

namespace ftui {

class RunHistory : public QWidget
{
    Q_OBJECT

public:
    explicit RunHistory(QWidget *parent = nullptr);

    // Returns the row of the new run.
    int addRun(const QString &name, const QString &outputDir);
    void setRunState(int row, const QString &state);
    int count() const;
    QString runDir(int row) const;
    QString runText(int row) const;
    void setOverlay(int row, bool on);
    // The loss curves of the checked runs.
    QList<RunCurve> checkedCurves() const;

    // step -> loss of a run folder's metrics.jsonl (missing or bad lines are skipped).
    static RunCurve readCurve(const QString &name, const QString &runDir);

Q_SIGNALS:
    void overlaysChanged();

private:
    QListWidget *m_list = nullptr;
};

} // namespace ftui
