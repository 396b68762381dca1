// The Train page's log pane: what the CLI prints (a line per logging interval, eval results,
// errors), the newest 5,000 lines, in a fixed-width font.
#pragma once

#include "trainingworker.h"

#include <QPlainTextEdit>

namespace ftui {

class TrainingLog : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit TrainingLog(QWidget *parent = nullptr);

    void appendLine(const QString &line);
    // A line for every `loggingSteps`-th step and the last one, as the CLI prints.
    void appendSteps(const QList<TrainingPoint> &points, qint64 loggingSteps);
    void appendEval(const EvalPoint &point);
};

} // namespace ftui
