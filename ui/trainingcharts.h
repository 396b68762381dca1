// The Train page's live charts (QCustomPlot): training loss raw and smoothed (a debiased EMA, as
// TensorBoard draws it), eval loss, other runs' losses as overlays, and learning rate, grad norm
// and tokens/s. Points are appended in batches; replots are capped at 10 Hz. Hovering shows the
// value under the cursor; the data exports as PNG and CSV.
#pragma once

#include "trainingworker.h"

#include <QColor>
#include <QTimer>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemTracer;

namespace ftui {

class PreferenceCharts;

struct RunCurve
{
    QString name;
    QVector<double> steps;
    QVector<double> losses;
};

class TrainingCharts : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingCharts(QWidget *parent = nullptr);

    void clear();
    void appendPoints(const QList<TrainingPoint> &points);
    void appendEvalPoint(double step, double loss);
    // 0 (raw) .. 0.99 (very smooth).
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    void setLogScale(bool on);
    void setOverlays(const QList<RunCurve> &curves);

    bool exportPng(const QString &file, int width = 1600, int height = 1000);
    bool exportCsv(const QString &file) const;

    int pointCount() const { return m_steps.size(); }
    // What the loss chart draws (tests; qcustomplot.h does not build with QT_NO_KEYWORDS).
    int lossGraphCount() const;
    int lossGraphPoints(int graph) const;
    QCustomPlot *lossPlot() const { return m_loss; }
    // Rewards and reward accuracy: shown once a preference run's first point arrives.
    PreferenceCharts *preferenceCharts() const { return m_preference; }
    QCPGraph *lossGraph() const { return m_lossRaw; }
    // Replots every chart now and returns when done (benchmarks).
    void replotNow();

private:
    QCustomPlot *createPlot(const QString &title, const QString &yLabel);
    void showPreferenceCharts(bool show);
    void rebuildSmoothed();
    void scheduleReplot();
    void replotIfDirty();
    void showValueAt(QCustomPlot *plot, QCPGraph *graph, QCPItemTracer *tracer, const QPoint &pos,
                     const QString &what);

    QCustomPlot *m_loss = nullptr;
    QCustomPlot *m_lr = nullptr;
    QCustomPlot *m_grad = nullptr;
    QCustomPlot *m_speed = nullptr;
    PreferenceCharts *m_preference = nullptr;
    QCPGraph *m_lossRaw = nullptr;
    QCPGraph *m_lossSmooth = nullptr;
    QCPGraph *m_evalLoss = nullptr;
    QCPGraph *m_lrGraph = nullptr;
    QCPGraph *m_gradGraph = nullptr;
    QCPGraph *m_speedGraph = nullptr;
    QList<QCPGraph *> m_overlayGraphs;
    QList<QCPItemTracer *> m_tracers;

    QVector<double> m_steps, m_losses, m_lrs, m_grads, m_speeds, m_evalSteps, m_evalLosses;
    double m_smoothing = 0.6;
    double m_ema = 0.0;       // running EMA state for appends
    int m_emaCount = 0;
    bool m_logScale = false;
    bool m_dirty = false;
    QTimer m_replotTimer;
};

} // namespace ftui
