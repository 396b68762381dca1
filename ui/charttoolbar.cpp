#include "charttoolbar.h"

#include "trainingcharts.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>

namespace ftui {

ChartToolbar::ChartToolbar(TrainingCharts *charts, QWidget *parent)
    : QWidget(parent), m_charts(charts)
{
    auto *smoothingLabel = new QLabel(tr("Smoothing"));
    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(qRound(m_charts->smoothing() * 100));
    m_smoothing->setMaximumWidth(180);
    const QString smoothingTip = tr("Weight of the exponential moving average drawn over the raw "
                                    "loss (0: none, 0.99: very smooth)");
    m_smoothing->setToolTip(smoothingTip);
    smoothingLabel->setToolTip(smoothingTip);
    auto *smoothingValue = new QLabel(QString::number(m_charts->smoothing(), 'f', 2));
    smoothingValue->setMinimumWidth(32);
    connect(m_smoothing, &QSlider::valueChanged, this, [this, smoothingValue](int v) {
        m_charts->setSmoothing(v / 100.0);
        smoothingValue->setText(QString::number(v / 100.0, 'f', 2));
    });
    m_logScale = new QCheckBox(tr("Log scale"));
    m_logScale->setObjectName(QStringLiteral("logScale"));
    connect(m_logScale, &QCheckBox::toggled, m_charts, &TrainingCharts::setLogScale);
    auto *png = new QPushButton(tr("Export PNG…"));
    png->setObjectName(QStringLiteral("exportPng"));
    connect(png, &QPushButton::clicked, this, &ChartToolbar::exportPng);
    auto *csv = new QPushButton(tr("Export CSV…"));
    csv->setObjectName(QStringLiteral("exportCsv"));
    connect(csv, &QPushButton::clicked, this, &ChartToolbar::exportCsv);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(smoothingLabel);
    layout->addWidget(m_smoothing);
    layout->addWidget(smoothingValue);
    layout->addSpacing(12);
    layout->addWidget(m_logScale);
    layout->addStretch(1);
    layout->addWidget(png);
    layout->addWidget(csv);
}

void ChartToolbar::exportPng()
{
    const QString file = QFileDialog::getSaveFileName(this, tr("Export Chart"), m_exportFolder,
                                                      tr("PNG images (*.png)"));
    if (!file.isEmpty() && !m_charts->exportPng(file))
        Q_EMIT exportFailed(file);
}

void ChartToolbar::exportCsv()
{
    const QString file = QFileDialog::getSaveFileName(this, tr("Export Metrics"), m_exportFolder,
                                                      tr("CSV files (*.csv)"));
    if (!file.isEmpty() && !m_charts->exportCsv(file))
        Q_EMIT exportFailed(file);
}

} // namespace ftui
