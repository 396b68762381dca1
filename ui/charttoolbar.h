// Under the Train page's charts: the smoothing of the loss curve, log scale, and the exports
// (the chart as PNG, the metrics as CSV).
#pragma once

#include <QWidget>

class QCheckBox;
class QSlider;

namespace ftui {

class TrainingCharts;

class ChartToolbar : public QWidget
{
    Q_OBJECT

public:
    explicit ChartToolbar(TrainingCharts *charts, QWidget *parent = nullptr);

    // Where the export dialogs start (the current run's folder).
    void setExportFolder(const QString &dir) { m_exportFolder = dir; }

Q_SIGNALS:
    void exportFailed(const QString &file);

private:
    void exportPng();
    void exportCsv();

    TrainingCharts *m_charts = nullptr;
    QString m_exportFolder;
    QSlider *m_smoothing = nullptr;
    QCheckBox *m_logScale = nullptr;
};

} // namespace ftui
