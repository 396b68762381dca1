#include "runcontrols.h"

#include "elidedlabel.h"
#include "memoryestimatecard.h"
#include "theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace ftui {

namespace {

QString duration(double seconds)
{
    const qint64 s = qMax<qint64>(0, qRound64(seconds));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

RunControls::RunControls(QWidget *parent) : QWidget(parent)
{
    m_startButton = new QPushButton(tr("Start"));
    m_startButton->setObjectName(QStringLiteral("startButton"));
    m_startButton->setDefault(true);
    m_pauseButton = new QPushButton(tr("Pause"));
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_resumeButton = new QPushButton(tr("Resume"));
    m_resumeButton->setObjectName(QStringLiteral("resumeButton"));
    m_stopButton = new QPushButton(tr("Stop"));
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_stopButton->setToolTip(tr("Stop after the current step and write a checkpoint"));
    connect(m_startButton, &QPushButton::clicked, this, &RunControls::startClicked);
    connect(m_pauseButton, &QPushButton::clicked, this, &RunControls::pauseClicked);
    connect(m_resumeButton, &QPushButton::clicked, this, &RunControls::resumeClicked);
    connect(m_stopButton, &QPushButton::clicked, this, &RunControls::stopClicked);

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    // The status on a line of its own, as wide as the controls: "Stopped at step 4; checkpoint
    // saved" is never cut mid-word (a narrow window elides it, with the whole text as tooltip).
    m_eta = new ElidedLabel;
    m_eta->setObjectName(QStringLiteral("etaLabel"));
    theme::makeSecondary(m_eta);

    auto *row = new QHBoxLayout;
    row->setSpacing(8);
    for (QPushButton *b : {m_startButton, m_pauseButton, m_resumeButton, m_stopButton})
        row->addWidget(b);
    row->addSpacing(12);
    row->addWidget(m_progress, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(row);
    layout->addWidget(m_eta);
    showPlan(0, -1);  // no plan yet: not "0 / 1 steps" until the Train page's first estimate
}

void RunControls::setActions(bool canStart, bool canPause, bool canResume, bool canStop)
{
    m_startButton->setEnabled(canStart);
    m_pauseButton->setEnabled(canPause);
    m_resumeButton->setEnabled(canResume);
    m_stopButton->setEnabled(canStop);
}

void RunControls::showPlan(qint64 steps, double runSeconds)
{
    m_plannedSteps = steps;
    m_progress->setRange(0, int(qMax<qint64>(1, steps)));
    m_progress->setValue(0);
    // Short: the bar is narrow in a 1024-wide window; the tooltip says how to get a plan.
    m_progress->setFormat(steps > 0 ? tr("%v / %m steps") : tr("? steps"));
    m_progress->setToolTip(steps > 0 ? QString() : tr("Measure a step or set max steps to plan the run."));
    m_eta->setToolTip(QString());
    if (steps > 0 && runSeconds >= 0)
        m_eta->setText(tr("%Ln step(s), about %1 on this machine", nullptr, int(steps))
                           .arg(duration(runSeconds)));
    else if (steps > 0)
        m_eta->setText(tr("%Ln step(s) planned", nullptr, int(steps)));
    else
        m_eta->clear();
}

void RunControls::reset(const QString &status)
{
    m_progress->setRange(0, int(qMax<qint64>(1, m_plannedSteps)));
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v / %m steps"));
    m_eta->setText(status);
}

void RunControls::setStatus(const QString &text)
{
    m_eta->setText(text);
}

void RunControls::showStep(const TrainingPoint &last)
{
    m_progress->setFormat(tr("%v / %m steps"));
    m_progress->setRange(0, int(last.totalSteps));
    m_progress->setValue(int(last.step));
    m_eta->setText(tr("epoch %1 · %2 left · %3 in use")
                       .arg(last.epoch, 0, 'f', 2)
                       .arg(duration(last.etaSeconds),
                            MemoryEstimateCard::bytes(last.memoryBytes)));
    m_eta->setToolTip(tr("%1 elapsed (pauses excluded); memory: the process's resident set")
                          .arg(duration(last.elapsedSeconds)));
}

void RunControls::showCompleted()
{
    m_progress->setValue(m_progress->maximum());
}

} // namespace ftui
