// A card with the training memory estimate (ft/memoryestimate.h): per strategy the trainable
// parameters, weights, gradients, optimizer state, activations and total, with a verdict against
// this machine's RAM (and an accelerator's memory where there is one). The Model page lists
// every strategy; the Train page shows the chosen settings.
#pragma once

#include <ft/memoryestimate.h>
#include <ft/modelinfo.h>

#include <QFrame>
#include <QList>
#include <QPair>

class QGridLayout;
class QLabel;

namespace ftui {

class MemoryEstimateCard : public QFrame
{
    Q_OBJECT

public:
    explicit MemoryEstimateCard(const QString &title, QWidget *parent = nullptr);

    void setModelInfo(const ft::ModelInfo &info);
    void clearModel();
    // Named strategies, one row each.
    void setStrategies(const QList<QPair<QString, ft::MemoryStrategy>> &strategies);
    void setBatchAndCutoff(int batchSize, int cutoffLen);
    // Only name, total and verdict columns (narrow places such as the Train page's form).
    void setCompact(bool compact);

    // The verdict text of row `row` ("fits", "tight", "does not fit"); empty if none.
    QString verdict(int row) const;
    ft::MemoryEstimate estimate(int row) const;

    static QString bytes(qint64 count);
    // The standard list: full, freeze (a quarter trains), LoRA, IA3, prompt tuning.
    static QList<QPair<QString, ft::MemoryStrategy>> standardStrategies();

private:
    void rebuild();

    QLabel *m_title = nullptr;
    QGridLayout *m_grid = nullptr;
    QLabel *m_footer = nullptr;
    QList<QWidget *> m_cells;
    ft::ModelInfo m_info;
    bool m_hasModel = false;
    bool m_compact = false;
    QList<QPair<QString, ft::MemoryStrategy>> m_strategies;
    QList<ft::MemoryEstimate> m_estimates;
    QStringList m_verdicts;
    int m_batch = 4;
    int m_cutoff = 1024;
};

} // namespace ftui
