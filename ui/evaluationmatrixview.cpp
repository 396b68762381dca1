#include "evaluationmatrixview.h"

#include "theme.h"

#include <ft/evalmatrix.h>
#include <ft/evalstore.h>

#include <qcustomplot.h>

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ftui {

namespace {

enum MatrixColumn { PartColumn, MetricColumn, BaseColumn, TunedColumn, DifferenceColumn, ItemsColumn, ColumnCount };

bool isPercent(const ft::MatrixRow &row)
{
    return row.part == "benchmark" || row.part == "blind" || row.name == "em" || row.name == "f1" ||
           row.name == "rouge_l" || row.name == "accuracy" || row.name.rfind("check ", 0) == 0;
}

QString value(const std::optional<double> &v, bool percent)
{
    if (!v || !std::isfinite(*v))
        return QStringLiteral("—");
    return percent ? QStringLiteral("%1 %").arg(100 * *v, 0, 'f', 1) : QString::number(*v, 'f', 3);
}

QString signedValue(double v, bool percent)
{
    const QString sign = v >= 0 ? QStringLiteral("+") : QString();
    return percent ? sign + QString::number(100 * v, 'f', 1) : sign + QString::number(v, 'f', 3);
}

QString shortText(const std::string &text)
{
    QString s = QString::fromStdString(text).simplified();
    return s.size() > 160 ? s.left(157) + QStringLiteral("…") : s;
}

QTableWidget *newTable(const QString &name, const QStringList &headers)
{
    auto *table = new QTableWidget(0, int(headers.size()));
    table->setObjectName(name);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

} // namespace

std::optional<double> itemChange(const ft::EvaluationItem &item)
{
    const nlohmann::json &s = item.scores;
    if (s.contains("tuned_correct") && s.contains("base_correct"))
        return s["tuned_correct"].get<double>() - s["base_correct"].get<double>();
    if (!s.contains("tuned") || !s.contains("base"))
        return std::nullopt;
    for (const char *metric : {"rouge_l", "f1", "em", "accuracy"})
        if (s["tuned"].contains(metric) && s["base"].contains(metric) && s["tuned"][metric].is_number())
            return s["tuned"][metric].get<double>() - s["base"][metric].get<double>();
    return std::nullopt;
}

EvaluationMatrixView::EvaluationMatrixView(QWidget *parent) : QWidget(parent)
{
    m_warning = new QLabel;
    m_warning->setObjectName(QStringLiteral("forgettingWarning"));
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(theme::warningBoxStyleSheet(m_warning->objectName()));
    m_warning->hide();
    m_matrix = newTable(QStringLiteral("evaluationMatrix"),
                        {tr("Part"), tr("Metric"), tr("Base"), tr("Tuned"), tr("Difference [95 % interval]"), tr("n")});
    m_rows = newTable(QStringLiteral("changedRows"),
                      {tr("Change"), tr("Prompt"), tr("Reference"), tr("Base"), tr("Tuned")});
    m_chart = new QCustomPlot;
    m_chart->setObjectName(QStringLiteral("categoryChart"));
    m_chart->setMinimumHeight(160);
    m_chart->legend->setVisible(false);  // shown with the first benchmark's bars
    m_chart->yAxis->setLabel(tr("accuracy"));

    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_matrix);
    split->addWidget(m_chart);
    split->addWidget(m_rows);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_warning);
    layout->addWidget(split, 1);
}

void EvaluationMatrixView::clear()
{
    setContents({}, {}, {});
}

void EvaluationMatrixView::setContents(const ft::EvaluationMatrix &matrix,
                                       const std::vector<ft::EvaluationItem> &benchmarkItems,
                                       const std::vector<ft::EvaluationItem> &domainItems)
{
    m_warning->setVisible(matrix.forgetting);
    m_warning->setText(QString::fromStdString(matrix.warning));
    fillMatrix(matrix);
    fillChangedRows(benchmarkItems, domainItems);
    fillChart(matrix);
}

void EvaluationMatrixView::fillMatrix(const ft::EvaluationMatrix &matrix)
{
    m_matrix->setRowCount(0);
    for (const ft::MatrixRow &r : matrix.rows) {
        const int row = m_matrix->rowCount();
        m_matrix->insertRow(row);
        const bool percent = isPercent(r);
        QString difference = QStringLiteral("—");
        if (r.difference && r.part == "blind") {
            difference = tr("win rate %1 [%2, %3], sign test p %4")
                             .arg(value(r.difference->estimate, true), value(r.difference->interval.low, true),
                                  value(r.difference->interval.high, true))
                             .arg(r.signTestP.value_or(1.0), 0, 'g', 3);
        } else if (r.difference) {
            difference = QStringLiteral("%1 [%2, %3] %4")
                             .arg(signedValue(r.difference->estimate, percent),
                                  signedValue(r.difference->interval.low, percent),
                                  signedValue(r.difference->interval.high, percent),
                                  QString::fromUtf8(ft::verdictName(r.difference->verdict)));
        }
        const QStringList cells{QString::fromStdString(r.part), QString::fromStdString(r.name),
                                value(r.base, percent), value(r.tuned, percent), difference,
                                QString::number(r.items)};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c == DifferenceColumn && !r.note.empty())
                item->setToolTip(QString::fromStdString(r.note));
            m_matrix->setItem(row, c, item);
        }
    }
    m_matrix->resizeColumnsToContents();
}

void EvaluationMatrixView::fillChangedRows(const std::vector<ft::EvaluationItem> &benchmarkItems,
                                           const std::vector<ft::EvaluationItem> &domainItems)
{
    std::vector<std::pair<double, const ft::EvaluationItem *>> changed;
    for (const auto *items : {&domainItems, &benchmarkItems})
        for (const ft::EvaluationItem &it : *items)
            if (const auto change = itemChange(it))
                changed.emplace_back(*change, &it);
    // Where base and tuned differ most first; ties keep their order.
    std::stable_sort(changed.begin(), changed.end(),
                     [](const auto &a, const auto &b) { return std::abs(a.first) > std::abs(b.first); });
    m_rows->setRowCount(0);
    for (const auto &[change, it] : changed) {
        const int row = m_rows->rowCount();
        m_rows->insertRow(row);
        const QStringList cells{signedValue(change, false), shortText(it->prompt), shortText(it->reference),
                                shortText(it->baseOutput), shortText(it->tunedOutput)};
        for (int c = 0; c < int(cells.size()); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c > 0)
                item->setToolTip(QString::fromStdString(c == 1 ? it->prompt : c == 2 ? it->reference
                                                                      : c == 3 ? it->baseOutput
                                                                               : it->tunedOutput));
            m_rows->setItem(row, c, item);
        }
    }
}

void EvaluationMatrixView::fillChart(const ft::EvaluationMatrix &matrix)
{
    m_chart->clearPlottables();
    QVector<double> ticks, base, tuned;
    QVector<QString> labels;
    const std::string prefix = "accuracy: ";
    for (const ft::MatrixRow &r : matrix.rows) {
        if (r.part != "benchmark" || r.name.rfind(prefix, 0) != 0)
            continue;
        ticks << double(ticks.size() + 1);
        labels << QString::fromStdString(r.name.substr(prefix.size()));
        base << r.base.value_or(0.0);
        tuned << r.tuned.value_or(0.0);
    }
    m_categories = int(ticks.size());
    if (!ticks.isEmpty()) {
        auto *baseBars = new QCPBars(m_chart->xAxis, m_chart->yAxis);
        auto *tunedBars = new QCPBars(m_chart->xAxis, m_chart->yAxis);
        baseBars->setName(tr("base"));
        tunedBars->setName(tr("tuned"));
        baseBars->setPen(Qt::NoPen);
        tunedBars->setPen(Qt::NoPen);
        baseBars->setBrush(palette().color(QPalette::Mid));
        tunedBars->setBrush(palette().color(QPalette::Highlight));
        auto *group = new QCPBarsGroup(m_chart);
        baseBars->setBarsGroup(group);
        tunedBars->setBarsGroup(group);
        baseBars->setWidth(0.35);
        tunedBars->setWidth(0.35);
        baseBars->setData(ticks, base);
        tunedBars->setData(ticks, tuned);
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        ticker->addTicks(ticks, labels);
        m_chart->xAxis->setTicker(ticker);
        m_chart->xAxis->setRange(0.4, ticks.size() + 0.6);
    }
    m_chart->legend->setVisible(!ticks.isEmpty());  // no empty legend box before a benchmark
    m_chart->yAxis->setRange(0, 1);
    m_chart->replot();
}

int EvaluationMatrixView::matrixRowCount() const
{
    return m_matrix->rowCount();
}

int EvaluationMatrixView::changedRowCount() const
{
    return m_rows->rowCount();
}

QString EvaluationMatrixView::cellText(int row, int column) const
{
    const QTableWidgetItem *item = m_matrix->item(row, column);
    return item ? item->text() : QString();
}

} // namespace ftui
