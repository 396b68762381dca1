#include "preferencecharts.h"

#include "theme.h"

#include <qcustomplot.h>

#include <QHBoxLayout>

#include <algorithm>

namespace ftui {

namespace {

QCustomPlot *plot(const QString &title, const QString &xLabel, const QPalette &palette, const QFont &font)
{
    auto *p = new QCustomPlot;
    p->setMinimumHeight(90);
    p->setBackground(palette.color(QPalette::Base));
    p->axisRect()->setBackground(palette.color(QPalette::Base));
    p->setAntialiasedElements(QCP::aePlottables);
    p->setPlottingHints(QCP::phFastPolylines | QCP::phCacheLabels);
    p->plotLayout()->insertRow(0);
    auto *titleElement = new QCPTextElement(p, title, QFont(font.family(), -1, QFont::DemiBold));
    titleElement->setTextColor(palette.color(QPalette::WindowText));
    p->plotLayout()->addElement(0, 0, titleElement);
    for (QCPAxis *axis : {p->xAxis, p->yAxis}) {
        axis->setBasePen(QPen(palette.color(QPalette::Mid)));
        axis->setTickPen(QPen(palette.color(QPalette::Mid)));
        axis->setSubTickPen(Qt::NoPen);
        axis->setTickLabelColor(palette.color(QPalette::WindowText));
        axis->setLabelColor(palette.color(QPalette::WindowText));
    }
    p->xAxis->setLabel(xLabel);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    return p;
}

QCPGraph *graph(QCustomPlot *p, QColor color, const QPalette &palette, const QString &name)
{
    QCPGraph *g = p->addGraph();
    g->setPen(QPen(theme::isDark(palette) ? color.lighter(160) : color, 1.5));
    g->setName(name);
    return g;
}

} // namespace

PreferenceCharts::PreferenceCharts(QWidget *parent) : QWidget(parent)
{
    m_rewards = plot(tr("Rewards"), tr("step"), palette(), font());
    m_rewards->setObjectName(QStringLiteral("rewardsChart"));
    m_accuracy = plot(tr("Reward accuracy"), tr("step"), palette(), font());
    m_accuracy->setObjectName(QStringLiteral("rewardAccuracyChart"));
    m_chosen = graph(m_rewards, QColor(40, 150, 80), palette(), tr("chosen"));
    m_rejected = graph(m_rewards, QColor(200, 70, 60), palette(), tr("rejected"));
    m_margin = graph(m_rewards, QColor(66, 133, 244), palette(), tr("margin"));
    m_accuracyGraph = graph(m_accuracy, QColor(160, 90, 170), palette(), tr("accuracy"));
    m_rewards->legend->setVisible(true);
    m_rewards->legend->setBrush(QBrush(palette().color(QPalette::Base)));
    m_rewards->legend->setTextColor(palette().color(QPalette::WindowText));
    m_rewards->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(m_rewards, 2);
    layout->addWidget(m_accuracy, 1);
}

void PreferenceCharts::clear()
{
    for (QCPGraph *g : {m_chosen, m_rejected, m_margin, m_accuracyGraph})
        g->data()->clear();
}

void PreferenceCharts::appendPoints(const QList<TrainingPoint> &points)
{
    for (const TrainingPoint &p : points) {
        if (!p.preference)
            continue;
        const double step = double(p.step);
        m_chosen->addData(step, p.rewardsChosen);
        m_rejected->addData(step, p.rewardsRejected);
        m_margin->addData(step, p.rewardsMargin);
        m_accuracyGraph->addData(step, p.rewardsAccuracy);
    }
}

void PreferenceCharts::replot()
{
    if (m_chosen->data()->isEmpty())
        return;
    for (QCustomPlot *p : {m_rewards, m_accuracy}) {
        p->rescaleAxes(true);
        const QCPRange x = p->xAxis->range();
        if (x.size() < 10)
            p->xAxis->setRange(x.lower, x.lower + 10);
        const QCPRange y = p->yAxis->range();
        const double pad = std::max(1e-3, 0.08 * y.size());
        p->yAxis->setRange(y.lower - pad, y.upper + pad);
    }
    m_accuracy->yAxis->setRange(-0.05, 1.05);  // a share of the pairs
    m_rewards->replot(QCustomPlot::rpImmediateRefresh);
    m_accuracy->replot(QCustomPlot::rpImmediateRefresh);
}

int PreferenceCharts::pointCount() const
{
    return m_chosen->dataCount();
}

} // namespace ftui
