// The Train page's charts for a preference run (stages dpo / orpo), beside the loss chart: the
// implicit rewards of the chosen and rejected answers and their margin, and the reward accuracy
// (the share of pairs whose chosen answer out-scores the rejected one), every step (QCustomPlot).
#pragma once

#include "trainingworker.h"

#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace ftui {

class PreferenceCharts : public QWidget
{
    Q_OBJECT

public:
    explicit PreferenceCharts(QWidget *parent = nullptr);

    void clear();
    // The points that carry rewards (the others are left out).
    void appendPoints(const QList<TrainingPoint> &points);
    void replot();

    int pointCount() const;  // tests
    QCustomPlot *rewardsPlot() const { return m_rewards; }

private:
    QCustomPlot *m_rewards = nullptr;
    QCustomPlot *m_accuracy = nullptr;
    QCPGraph *m_chosen = nullptr;
    QCPGraph *m_rejected = nullptr;
    QCPGraph *m_margin = nullptr;
    QCPGraph *m_accuracyGraph = nullptr;
};

} // namespace ftui
