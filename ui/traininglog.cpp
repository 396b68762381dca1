#include "traininglog.h"

#include <QFontDatabase>

namespace ftui {

TrainingLog::TrainingLog(QWidget *parent) : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("trainLog"));
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
}

void TrainingLog::appendLine(const QString &line)
{
    appendPlainText(line);
}

void TrainingLog::appendSteps(const QList<TrainingPoint> &points, qint64 loggingSteps)
{
    const qint64 every = qMax<qint64>(1, loggingSteps);
    for (const TrainingPoint &p : points)
        if (p.step % every == 0 || p.step == p.totalSteps)
            appendLine(tr("step %1/%2  loss %3  lr %4  grad norm %5  %6 tokens/s")
                           .arg(p.step)
                           .arg(p.totalSteps)
                           .arg(p.loss, 0, 'f', 4)
                           .arg(p.learningRate, 0, 'g', 3)
                           .arg(p.gradNorm, 0, 'f', 3)
                           .arg(p.tokensPerSecond, 0, 'f', 0));
}

void TrainingLog::appendEval(const EvalPoint &p)
{
    appendLine(tr("step %1  eval loss %2  perplexity %3")
                   .arg(p.step)
                   .arg(p.loss, 0, 'f', 4)
                   .arg(p.perplexity, 0, 'f', 2));
}

} // namespace ftui
