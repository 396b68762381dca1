#include "trainingcharts.h"

#include "preferencecharts.h"
#include "theme.h"

#include <qcustomplot.h>

#include <QFile>
#include <QGridLayout>
#include <QSaveFile>
#include <QTextStream>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace ftui {

namespace {

constexpr int kReplotIntervalMs = 100;  // at most 10 replots a second
const QColor kLossColor(66, 133, 244);
const QColor kSmoothColor(25, 90, 200);
const QColor kEvalColor(230, 120, 20);
const QColor kOverlayColors[] = {QColor(120, 120, 120), QColor(160, 90, 170),
                                 QColor(60, 160, 110), QColor(200, 80, 80)};

void styleAxis(QCPAxis *axis, const QPalette &palette)
{
    const QColor text = palette.color(QPalette::WindowText);
    QColor grid = palette.color(QPalette::Mid);
    grid.setAlpha(90);
    axis->setBasePen(QPen(palette.color(QPalette::Mid)));
    axis->setTickPen(QPen(palette.color(QPalette::Mid)));
    axis->setSubTickPen(Qt::NoPen);
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
}

// Series colours are picked for a light base; on a dark one they are lightened so the lines keep
// their contrast (the deep blue of the smoothed loss nearly vanished on a dark base).
QColor onBase(const QColor &color, const QPalette &palette)
{
    return theme::isDark(palette) ? color.lighter(160) : color;
}

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

} // namespace

TrainingCharts::TrainingCharts(QWidget *parent) : QWidget(parent)
{
    m_loss = createPlot(tr("Training loss"), tr("loss"));
    m_loss->setObjectName(QStringLiteral("lossChart"));
    m_lr = createPlot(tr("Learning rate"), QString());
    m_lr->setObjectName(QStringLiteral("lrChart"));
    m_grad = createPlot(tr("Gradient norm"), QString());
    m_grad->setObjectName(QStringLiteral("gradChart"));
    m_speed = createPlot(tr("Tokens / s"), QString());
    m_speed->setObjectName(QStringLiteral("speedChart"));

    auto addGraph = [this](QCustomPlot *plot, const QColor &color, double width, const QString &name) {
        QCPGraph *g = plot->addGraph();
        QColor c = onBase(color, palette());
        c.setAlpha(color.alpha());
        g->setPen(QPen(c, width));
        g->setName(name);
        g->setAdaptiveSampling(true);
        return g;
    };
    QColor raw = kLossColor;
    raw.setAlpha(90);
    m_lossRaw = addGraph(m_loss, raw, 1.0, tr("loss"));
    m_lossSmooth = addGraph(m_loss, kSmoothColor, 2.0, tr("smoothed"));
    m_evalLoss = addGraph(m_loss, kEvalColor, 2.0, tr("eval loss"));
    m_evalLoss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    m_evalLoss->removeFromLegend();  // listed once there is an eval point
    m_lrGraph = addGraph(m_lr, QColor(60, 160, 110), 1.5, tr("learning rate"));
    m_gradGraph = addGraph(m_grad, QColor(160, 90, 170), 1.2, tr("grad norm"));
    m_speedGraph = addGraph(m_speed, QColor(200, 120, 40), 1.2, tr("tokens/s"));
    m_loss->legend->setVisible(true);
    m_loss->legend->setBrush(QBrush(palette().color(QPalette::Base)));
    m_loss->legend->setBorderPen(QPen(palette().color(QPalette::Mid)));
    m_loss->legend->setTextColor(palette().color(QPalette::WindowText));
    m_loss->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_lr->yAxis->setNumberFormat(QStringLiteral("gb"));

    const QList<QPair<QCustomPlot *, QCPGraph *>> hovered = {
        {m_loss, m_lossSmooth}, {m_lr, m_lrGraph}, {m_grad, m_gradGraph}, {m_speed, m_speedGraph}};
    const QStringList names = {tr("loss"), tr("learning rate"), tr("grad norm"), tr("tokens/s")};
    for (int i = 0; i < hovered.size(); ++i) {
        QCustomPlot *plot = hovered[i].first;
        QCPGraph *graph = hovered[i].second;
        auto *tracer = new QCPItemTracer(plot);
        tracer->setStyle(QCPItemTracer::tsCircle);
        tracer->setSize(7);
        tracer->setPen(QPen(palette().color(QPalette::WindowText)));
        tracer->setVisible(false);
        m_tracers.append(tracer);
        const QString what = names[i];
        connect(plot, &QCustomPlot::mouseMove, this, [=, this](QMouseEvent *event) {
            showValueAt(plot, graph, tracer, event->pos(), what);
        });
    }

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(8);
    grid->addWidget(m_loss, 0, 0, 1, 3);
    grid->addWidget(m_lr, 1, 0);
    grid->addWidget(m_grad, 1, 1);
    grid->addWidget(m_speed, 1, 2);
    m_preference = new PreferenceCharts;
    m_preference->setObjectName(QStringLiteral("preferenceCharts"));
    grid->addWidget(m_preference, 2, 0, 1, 3);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);
    showPreferenceCharts(false);

    m_replotTimer.setInterval(kReplotIntervalMs);
    connect(&m_replotTimer, &QTimer::timeout, this, &TrainingCharts::replotIfDirty);
    m_replotTimer.start();
}

QCustomPlot *TrainingCharts::createPlot(const QString &title, const QString &yLabel)
{
    auto *plot = new QCustomPlot;
    plot->setMinimumHeight(90);  // the page fits a 640-pixel-high window
    plot->setBackground(palette().color(QPalette::Base));
    plot->axisRect()->setBackground(palette().color(QPalette::Base));
    plot->setAntialiasedElements(QCP::aePlottables);
    // One polyline per graph instead of a segment per point pair: the big replot saving.
    plot->setPlottingHints(QCP::phFastPolylines | QCP::phCacheLabels);
    plot->setNoAntialiasingOnDrag(true);
    plot->plotLayout()->insertRow(0);
    auto *titleElement = new QCPTextElement(plot, title, QFont(font().family(), -1, QFont::DemiBold));
    titleElement->setTextColor(palette().color(QPalette::WindowText));
    plot->plotLayout()->addElement(0, 0, titleElement);
    styleAxis(plot->xAxis, palette());
    styleAxis(plot->yAxis, palette());
    plot->xAxis->setLabel(tr("step"));
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setRange(0, 10);
    plot->yAxis->setRange(0, 1);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // As many ticks as the plot has room for: five labels in a 90-pixel plot (a 640-pixel-high
    // window) overlapped into an unreadable stack. Set after each layout, before drawing.
    connect(plot, &QCustomPlot::afterLayout, plot, [plot] {
        plot->yAxis->ticker()->setTickCount(std::clamp(plot->axisRect()->height() / 28, 2, 5));
        plot->xAxis->ticker()->setTickCount(std::clamp(plot->axisRect()->width() / 50, 2, 5));
    });
    return plot;
}

void TrainingCharts::showPreferenceCharts(bool show)
{
    m_preference->setVisible(show);
    // A grid keeps a hidden row's stretch: the charts above shrank to leave room for nothing.
    static_cast<QGridLayout *>(layout())->setRowStretch(2, show ? 2 : 0);
}

int TrainingCharts::lossGraphCount() const
{
    return m_loss->graphCount();
}

int TrainingCharts::lossGraphPoints(int graph) const
{
    const QCPGraph *g = m_loss->graph(graph);
    return g ? g->dataCount() : -1;
}

void TrainingCharts::clear()
{
    for (QVector<double> *v : {&m_steps, &m_losses, &m_lrs, &m_grads, &m_speeds, &m_evalSteps,
                               &m_evalLosses})
        v->clear();
    m_ema = 0.0;
    m_emaCount = 0;
    for (QCPGraph *g : {m_lossRaw, m_lossSmooth, m_evalLoss, m_lrGraph, m_gradGraph, m_speedGraph})
        g->data()->clear();
    m_evalLoss->removeFromLegend();
    m_preference->clear();
    showPreferenceCharts(false);
    scheduleReplot();
}

void TrainingCharts::appendPoints(const QList<TrainingPoint> &points)
{
    QVector<double> keys, loss, smooth, lr, grad, speed;
    for (const TrainingPoint &p : points) {
        const double step = double(p.step);
        m_steps.append(step);
        m_losses.append(p.loss);
        m_lrs.append(p.learningRate);
        m_grads.append(p.gradNorm);
        m_speeds.append(p.tokensPerSecond);
        m_ema = m_smoothing * m_ema + (1.0 - m_smoothing) * p.loss;
        ++m_emaCount;
        const double debias = 1.0 - std::pow(m_smoothing, m_emaCount);
        keys.append(step);
        loss.append(p.loss);
        smooth.append(debias > 0 ? m_ema / debias : p.loss);
        lr.append(p.learningRate);
        grad.append(p.gradNorm);
        speed.append(p.tokensPerSecond);
    }
    // Steps only grow, so the data is already sorted.
    m_lossRaw->addData(keys, loss, true);
    m_lossSmooth->addData(keys, smooth, true);
    m_lrGraph->addData(keys, lr, true);
    m_gradGraph->addData(keys, grad, true);
    m_speedGraph->addData(keys, speed, true);
    if (!points.isEmpty() && points.last().preference) {
        m_preference->appendPoints(points);
        showPreferenceCharts(true);
    }
    scheduleReplot();
}

void TrainingCharts::appendEvalPoint(double step, double loss)
{
    if (m_evalSteps.isEmpty())
        m_evalLoss->addToLegend();
    m_evalSteps.append(step);
    m_evalLosses.append(loss);
    m_evalLoss->addData(step, loss);
    scheduleReplot();
}

void TrainingCharts::setSmoothing(double weight)
{
    m_smoothing = std::clamp(weight, 0.0, 0.99);
    rebuildSmoothed();
    scheduleReplot();
}

void TrainingCharts::rebuildSmoothed()
{
    QVector<double> smooth;
    smooth.reserve(m_losses.size());
    m_ema = 0.0;
    m_emaCount = 0;
    for (double x : m_losses) {
        m_ema = m_smoothing * m_ema + (1.0 - m_smoothing) * x;
        ++m_emaCount;
        const double debias = 1.0 - std::pow(m_smoothing, m_emaCount);
        smooth.append(debias > 0 ? m_ema / debias : x);
    }
    m_lossSmooth->setData(m_steps, smooth, true);
}

void TrainingCharts::setLogScale(bool on)
{
    m_logScale = on;
    for (QCustomPlot *plot : {m_loss, m_grad}) {
        plot->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (on)
            plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        else
            plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    scheduleReplot();
}

void TrainingCharts::setOverlays(const QList<RunCurve> &curves)
{
    for (QCPGraph *g : std::as_const(m_overlayGraphs))
        m_loss->removeGraph(g);
    m_overlayGraphs.clear();
    int i = 0;
    for (const RunCurve &curve : curves) {
        QCPGraph *g = m_loss->addGraph();
        QColor color = onBase(kOverlayColors[i++ % 4], palette());
        g->setPen(QPen(color, 1.4, Qt::DashLine));
        g->setName(curve.name);
        g->setData(curve.steps, curve.losses, true);
        m_overlayGraphs.append(g);
    }
    scheduleReplot();
}

void TrainingCharts::scheduleReplot()
{
    m_dirty = true;
}

void TrainingCharts::replotIfDirty()
{
    if (!m_dirty || !isVisible())
        return;
    replotNow();
}

void TrainingCharts::replotNow()
{
    m_dirty = false;
    for (QCustomPlot *plot : {m_loss, m_lr, m_grad, m_speed}) {
        if (!plot->graph(0)->data()->isEmpty()) {
            plot->rescaleAxes(true);
            const QCPRange x = plot->xAxis->range();
            if (x.size() < 10)
                plot->xAxis->setRange(x.lower, x.lower + 10);
            // Tight around the data (a loss going from 2.1 to 1.7 must not look flat), except
            // the learning rate, whose warmup reads best from 0.
            const QCPRange y = plot->yAxis->range();
            if (m_logScale && (plot == m_loss || plot == m_grad)) {
                plot->yAxis->setRange(y.lower / 1.3, y.upper * 1.3);
            } else {
                const double lower = plot == m_lr ? std::min(0.0, y.lower) : y.lower;
                const double span = y.upper - lower;
                const double pad = span > 0 ? 0.08 * span : std::max(1e-3, std::abs(y.upper) * 0.05);
                plot->yAxis->setRange(plot == m_lr ? lower : lower - pad, y.upper + pad);
            }
        }
        plot->replot(QCustomPlot::rpImmediateRefresh);
    }
    if (m_preference->isVisible())
        m_preference->replot();
}

void TrainingCharts::showValueAt(QCustomPlot *plot, QCPGraph *graph, QCPItemTracer *tracer,
                                 const QPoint &pos, const QString &what)
{
    if (graph->data()->isEmpty()) {
        tracer->setVisible(false);
        return;
    }
    const double key = plot->xAxis->pixelToCoord(pos.x());
    tracer->setGraph(graph);
    tracer->setGraphKey(key);
    tracer->setInterpolating(false);
    tracer->setVisible(true);
    tracer->updatePosition();
    const double step = tracer->position->key();
    const double value = tracer->position->value();
    QString text = tr("step %1\n%2: %3").arg(step).arg(what, number(value));
    if (graph == m_lossSmooth) {
        const auto it = std::lower_bound(m_steps.cbegin(), m_steps.cend(), step);
        if (it != m_steps.cend())
            text += tr("\nraw: %1").arg(number(m_losses[int(it - m_steps.cbegin())]));
    }
    QToolTip::showText(plot->mapToGlobal(pos), text, plot);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

bool TrainingCharts::exportPng(const QString &file, int width, int height)
{
    replotNow();
    return m_loss->savePng(file, width, height);
}

bool TrainingCharts::exportCsv(const QString &file) const
{
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    QTextStream stream(&out);
    stream << "step,loss,learning_rate,grad_norm,tokens_per_second,eval_loss\n";
    int e = 0;
    for (int i = 0; i < m_steps.size(); ++i) {
        QString eval;
        while (e < m_evalSteps.size() && m_evalSteps[e] < m_steps[i])
            ++e;
        if (e < m_evalSteps.size() && m_evalSteps[e] == m_steps[i])
            eval = QString::number(m_evalLosses[e], 'g', 10);
        stream << m_steps[i] << ',' << QString::number(m_losses[i], 'g', 10) << ','
               << QString::number(m_lrs[i], 'g', 10) << ',' << QString::number(m_grads[i], 'g', 10)
               << ',' << QString::number(m_speeds[i], 'g', 10) << ',' << eval << '\n';
    }
    stream.flush();
    return out.commit();
}

} // namespace ftui
