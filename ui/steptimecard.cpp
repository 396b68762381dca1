#include "steptimecard.h"

#include "theme.h"

#include <ft/error.h>

#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace ftui {

namespace {

QString span(double seconds)
{
    const qint64 s = qMax<qint64>(0, qRound64(seconds));
    if (seconds < 10)
        return StepTimeCard::tr("%1 s").arg(QLocale().toString(seconds, 'f', seconds < 1 ? 2 : 1));
    if (s < 120)
        return StepTimeCard::tr("%1 s").arg(s);
    if (s < 3600)
        return StepTimeCard::tr("%1 min").arg(qRound64(seconds / 60));
    if (s < 48 * 3600)
        return StepTimeCard::tr("%1 h %2 min").arg(s / 3600).arg((s / 60) % 60);
    return StepTimeCard::tr("%1 days").arg(QLocale().toString(seconds / 86400, 'f', 1));
}

// The settings that a measurement does not carry over: everything but batch size,
// accumulation, epochs and max steps (and what does not change the work of a step).
bool sameWork(ft::TrainingConfig a, ft::TrainingConfig b)
{
    for (ft::TrainingConfig *c : {&a, &b}) {
        c->perDeviceTrainBatchSize = 1;
        c->gradientAccumulationSteps = 1;
        c->numTrainEpochs = 1;
        c->maxSteps = -1;
        c->outputDir.clear();
        c->learningRate = 0;
        c->warmupRatio = 0;
        c->warmupSteps = 0;
        c->lrSchedulerType.clear();
        c->weightDecay = 0;
        c->loggingSteps = 1;
        c->saveSteps = 0;
        c->saveTotalLimit = 0;
        c->evalSteps = 0;
        c->earlyStoppingPatience = 0;
        c->earlyStoppingThreshold = 0;
    }
    // Packed rows depend on the batch size too.
    return !a.packing && a.toJson() == b.toJson();
}

} // namespace

qint64 plannedSteps(const ft::TrainingConfig &config, qint64 examples)
{
    if (config.maxSteps > 0)
        return config.maxSteps;
    const qint64 batch = qMax(1, config.perDeviceTrainBatchSize);
    const qint64 accumulation = qMax(1, config.gradientAccumulationSteps);
    const qint64 micro = (examples + batch - 1) / batch;
    const qint64 perEpoch = (micro + accumulation - 1) / accumulation;
    return qMax<qint64>(1, qint64(std::ceil(config.numTrainEpochs * double(perEpoch))));
}

StepTimeCard::StepTimeCard(QWidget *parent) : QFrame(parent)
{
    setObjectName(QLatin1String(theme::kCardName));
    setStyleSheet(theme::cardStyleSheet());
    auto *title = new QLabel(tr("Time for these settings"));
    theme::makeHeading(title, 1.0, QFont::DemiBold);
    m_text = new QLabel;
    m_text->setObjectName(QStringLiteral("stepTimeText"));
    m_text->setWordWrap(true);
    m_hint = new QLabel;
    m_hint->setObjectName(QStringLiteral("stepTimeHint"));
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(theme::warningBoxStyleSheet(QStringLiteral("stepTimeHint")));
    m_hint->hide();
    m_button = new QPushButton(tr("Measure a Step"));
    m_button->setObjectName(QStringLiteral("measureStep"));
    m_button->setToolTip(tr("Loads the model and the data once more and times the forward and "
                            "backward pass of one micro-batch at these settings (no training)."));
    connect(m_button, &QPushButton::clicked, this, &StepTimeCard::estimate);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(14, 10, 14, 12);
    layout->setSpacing(6);
    layout->addWidget(title);
    layout->addWidget(m_text);
    layout->addWidget(m_hint);
    layout->addWidget(m_button, 0, Qt::AlignLeft);
    connect(&m_watcher, &QFutureWatcher<ft::StepTimeEstimate>::finished, this,
            &StepTimeCard::onMeasured);
    refresh();
}

StepTimeCard::~StepTimeCard()
{
    m_watcher.waitForFinished();
}

void StepTimeCard::setConfig(const ft::TrainingConfig &config, bool ready)
{
    m_config = config;
    m_ready = ready;
    if (m_error && !isEstimating())
        m_error->clear();
    refresh();
}

void StepTimeCard::estimate()
{
    if (!m_ready || isEstimating())
        return;
    m_error = std::make_shared<QString>();
    const ft::TrainingConfig config = m_config;
    m_measuredConfig = config;
    m_measuring = true;
    // The engine's message travels beside the future (QtConcurrent would wrap the exception).
    m_watcher.setFuture(QtConcurrent::run([config, error = m_error] {
        try {
            return ft::estimateStepTime(config, 3);
        } catch (const std::exception &e) {
            *error = QString::fromStdString(e.what());
            return ft::StepTimeEstimate{};
        }
    }));
    refresh();
}

void StepTimeCard::setSlowStepSeconds(double seconds)
{
    m_slowStepSeconds = seconds;
    refresh();
}

bool StepTimeCard::isEstimating() const
{
    return m_measuring;
}

void StepTimeCard::onMeasured()
{
    m_measuring = false;
    if (!m_error->isEmpty()) {
        m_hasMeasurement = false;
        refresh();
        Q_EMIT failed(*m_error);
        return;
    }
    m_measured = m_watcher.result();
    m_hasMeasurement = true;
    refresh();
}

QString StepTimeCard::text() const
{
    return m_text->text();
}

QString StepTimeCard::hint() const
{
    return m_hint->isHidden() ? QString() : m_hint->text();
}

void StepTimeCard::refresh()
{
    m_button->setEnabled(m_ready && !isEstimating());
    m_valid = false;
    QString text;
    if (isEstimating()) {
        text = tr("Measuring one micro-batch…");
    } else if (m_hasMeasurement && sameWork(m_config, m_measuredConfig)) {
        // The plan from the measured example count; the step time scaled by the rows per step.
        ft::StepTimeEstimate e = m_measured;
        const qint64 batch = qMax(1, m_config.perDeviceTrainBatchSize);
        const qint64 micro = (e.examples + batch - 1) / batch;
        e.totalSteps = plannedSteps(m_config, e.examples);
        e.microBatchesPerStep = qMax<qint64>(1, qMin<qint64>(m_config.gradientAccumulationSteps,
                                                             qMax<qint64>(1, micro)));
        const double perRow = m_measured.microBatchSeconds / double(qMax<qint64>(1, e.microBatchRows));
        if (batch != m_measuredConfig.perDeviceTrainBatchSize)
            e.microBatchSeconds = perRow * double(qMin<qint64>(batch, qMax<qint64>(1, e.examples)));
        e.stepSeconds = e.microBatchSeconds * double(e.microBatchesPerStep);
        e.runSeconds = e.stepSeconds * double(e.totalSteps);
        m_current = e;
        m_valid = true;
        const QLocale locale;
        text = tr("%1 optimiser steps over %2 training examples. One step ≈ %3 on this machine "
                  "(%4 micro-batches of %5 rows; one took %6), the run ≈ %7.")
                   .arg(locale.toString(e.totalSteps), locale.toString(e.examples),
                        span(e.stepSeconds), locale.toString(e.microBatchesPerStep),
                        locale.toString(qMin<qint64>(batch, e.examples)),
                        span(e.microBatchSeconds), span(e.runSeconds));
    } else if (m_error && !m_error->isEmpty() && !m_hasMeasurement) {
        text = tr("Could not measure: %1").arg(*m_error);
    } else if (!m_ready) {
        text = tr("Open a model and choose the data to measure how long a step takes here.");
    } else {
        text = m_hasMeasurement ? tr("The settings changed since the last measurement.")
                                : tr("How long a step takes depends on the model, the rows per "
                                     "step and the cutoff; measure it before a long run.");
        if (m_config.maxSteps > 0)
            text += QLatin1Char(' ') + tr("%Ln step(s) planned.", nullptr, int(m_config.maxSteps));
    }
    m_text->setText(text);
    const bool slow = m_valid && m_current.stepSeconds > m_slowStepSeconds;
    if (slow)
        m_hint->setText(
            tr("Slow on this machine: %1 × %2 = %3 rows per step take about %4. Fewer rows per "
               "step (batch size × accumulation) or a shorter cutoff make each step quicker; "
               "for a first try, a few max steps show whether the loss falls.")
                .arg(m_config.perDeviceTrainBatchSize)
                .arg(m_config.gradientAccumulationSteps)
                .arg(m_config.perDeviceTrainBatchSize * m_config.gradientAccumulationSteps)
                .arg(span(m_current.stepSeconds)));
    m_hint->setVisible(slow);
    const qint64 steps = m_valid ? m_current.totalSteps : (m_config.maxSteps > 0 ? m_config.maxSteps : 0);
    const double seconds = m_valid ? m_current.runSeconds : -1;
    if (steps != m_emittedSteps || seconds != m_emittedSeconds) {
        m_emittedSteps = steps;
        m_emittedSeconds = seconds;
        Q_EMIT planChanged(steps, seconds);
    }
}

} // namespace ftui
