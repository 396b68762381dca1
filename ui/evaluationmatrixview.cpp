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
#include <iterator>
#include <cmath>

namespace ftui {

namespace {

// Part | Metric | Base | each run's tuned value | each run's difference | n
enum MatrixColumn { PartColumn, MetricColumn, BaseColumn, FirstRunColumn };

// Bar colours of the runs after the base's (QCustomPlot's usual blue first).
const QColor kRunColours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                              QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b)};

bool isPercent(const ft::MatrixRow &row)
{
    return ft::isFractionRow(row);
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
    m_pairing = new QLabel;
    m_pairing->setObjectName(QStringLiteral("pairingNote"));
    m_pairing->setWordWrap(true);
    m_pairing->hide();
    m_matrix = newTable(QStringLiteral("evaluationMatrix"),
                        {tr("Part"), tr("Metric"), tr("Base"), tr("Tuned"), tr("Difference [95 % interval]"), tr("n")});
    m_rows = newTable(QStringLiteral("changedRows"),
                      {tr("Change"), tr("Prompt"), tr("Reference"), tr("Base"), tr("Tuned")});
    m_chart = new QCustomPlot;
    m_chart->setObjectName(QStringLiteral("categoryChart"));
    m_chart->setMinimumHeight(160);
    m_chart->legend->setVisible(false);  // shown with the first benchmark's bars
    m_chart->yAxis->setLabel(tr("accuracy"));
    m_deltaChart = new QCustomPlot;
    m_deltaChart->setObjectName(QStringLiteral("deltaChart"));
    m_deltaChart->setMinimumHeight(160);
    m_deltaChart->legend->setVisible(false);
    m_deltaChart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_deltaChart->xAxis->setLabel(tr("tuned − base (points, 95 % interval)"));

    auto *charts = new QSplitter(Qt::Horizontal);
    charts->addWidget(m_chart);
    charts->addWidget(m_deltaChart);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_matrix);
    split->addWidget(charts);
    split->addWidget(m_rows);
    // The matrix first: it gets the most of a small window; the charts and rows can be dragged open.
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setStretchFactor(2, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_warning);
    layout->addWidget(m_pairing);
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
    m_pairing->setVisible(!matrix.pairing.empty());
    m_pairing->setText(QString::fromStdString(matrix.pairing));
    fillMatrix(matrix);
    fillChangedRows(benchmarkItems, domainItems);
    fillChart(matrix);
    fillDeltaChart(matrix);
}

QString EvaluationMatrixView::differenceText(const ft::MatrixRow &row, const ft::MatrixCell &cell)
{
    if (!cell.difference)
        return QStringLiteral("—");
    if (row.part == "blind")
        return tr("win rate %1 [%2, %3], sign test p %4")
            .arg(value(cell.difference->estimate, true), value(cell.difference->interval.low, true),
                 value(cell.difference->interval.high, true))
            .arg(cell.signTestP.value_or(1.0), 0, 'g', 3);
    const bool percent = isPercent(row);
    return QStringLiteral("%1 [%2, %3] %4")
        .arg(signedValue(cell.difference->estimate, percent), signedValue(cell.difference->interval.low, percent),
             signedValue(cell.difference->interval.high, percent),
             QString::fromUtf8(ft::verdictName(cell.difference->verdict)));
}

void EvaluationMatrixView::fillMatrix(const ft::EvaluationMatrix &matrix)
{
    const int runs = std::max<int>(1, int(matrix.runs.size()));
    const bool several = matrix.runs.size() > 1;
    QStringList headers{tr("Part"), tr("Metric"), tr("Base")};
    for (int r = 0; r < runs; ++r)
        headers << (several ? QString::fromStdString(matrix.runs[r].name) : tr("Tuned"));
    for (int r = 0; r < runs; ++r)
        headers << (several ? tr("%1 − base [95 % interval]").arg(QString::fromStdString(matrix.runs[r].name))
                            : tr("Difference [95 % interval]"));
    headers << tr("n");
    m_matrix->setRowCount(0);
    m_matrix->setColumnCount(int(headers.size()));
    m_matrix->setHorizontalHeaderLabels(headers);
    for (const ft::MatrixRow &r : matrix.rows) {
        const int row = m_matrix->rowCount();
        m_matrix->insertRow(row);
        const bool percent = isPercent(r);
        QStringList cells{QString::fromStdString(r.part), QString::fromStdString(r.name), value(r.base, percent)};
        QStringList notes{QString(), QString(), QString()};
        for (int c = 0; c < runs; ++c) {
            const auto &cell = c < int(r.runs.size()) ? r.runs[c] : std::nullopt;
            cells << (cell ? value(cell->tuned, percent) : QStringLiteral("—"));
            notes << QString();
        }
        for (int c = 0; c < runs; ++c) {
            const auto &cell = c < int(r.runs.size()) ? r.runs[c] : std::nullopt;
            cells << (cell ? differenceText(r, *cell) : QStringLiteral("—"));
            notes << (cell ? QString::fromStdString(cell->note) : QString());
        }
        cells << QString::number(r.items);
        notes << QString();
        for (int c = 0; c < int(cells.size()); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (!notes[c].isEmpty())
                item->setToolTip(notes[c]);
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
    const int runs = int(matrix.runs.size());
    QVector<double> ticks;
    QVector<QString> labels;
    std::vector<QVector<double>> values(size_t(runs) + 1);  // base, then each run
    const std::string prefix = "accuracy: ";
    for (const ft::MatrixRow &r : matrix.rows) {
        if (r.part != "benchmark" || r.name.rfind(prefix, 0) != 0)
            continue;
        ticks << double(ticks.size() + 1);
        labels << QString::fromStdString(r.name.substr(prefix.size()));
        values[0] << r.base.value_or(0.0);
        for (int c = 0; c < runs; ++c) {
            const auto &cell = c < int(r.runs.size()) ? r.runs[c] : std::nullopt;
            values[size_t(c) + 1] << (cell && cell->tuned ? *cell->tuned : 0.0);
        }
    }
    m_categories = int(ticks.size());
    if (!ticks.isEmpty()) {
        auto *group = new QCPBarsGroup(m_chart);
        const double width = 0.7 / double(values.size());
        for (size_t s = 0; s < values.size(); ++s) {
            auto *bars = new QCPBars(m_chart->xAxis, m_chart->yAxis);
            bars->setName(s == 0 ? tr("base")
                          : runs > 1 ? QString::fromStdString(matrix.runs[s - 1].name)
                                     : tr("tuned"));
            bars->setPen(Qt::NoPen);
            bars->setBrush(s == 0 ? palette().color(QPalette::Mid)
                           : runs > 1 ? kRunColours[(s - 1) % std::size(kRunColours)]
                                      : palette().color(QPalette::Highlight));
            bars->setBarsGroup(group);
            bars->setWidth(width);
            bars->setData(ticks, values[s]);
        }
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        ticker->addTicks(ticks, labels);
        m_chart->xAxis->setTicker(ticker);
        m_chart->xAxis->setRange(0.4, ticks.size() + 0.6);
    }
    m_chart->legend->setVisible(!ticks.isEmpty());  // no empty legend box before a benchmark
    m_chart->yAxis->setRange(0, 1);
    m_chart->replot();
}

// For each metric row, tuned - base per run as a horizontal bar with its 95 % interval as error
// bars, in points (ft::deltaPointsScale); the first row at the top.
void EvaluationMatrixView::fillDeltaChart(const ft::EvaluationMatrix &matrix)
{
    m_deltaChart->clearPlottables();
    const int runs = int(matrix.runs.size());
    std::vector<const ft::MatrixRow *> shown;
    for (const ft::MatrixRow &r : matrix.rows)
        if (ft::deltaPointsScale(r) &&
            std::any_of(r.runs.begin(), r.runs.end(), [](const auto &c) { return c && c->difference; }))
            shown.push_back(&r);
    m_deltaRows = int(shown.size());
    QVector<double> ticks;
    QVector<QString> labels;
    for (int i = 0; i < m_deltaRows; ++i) {
        ticks << double(m_deltaRows - i);  // the matrix's order, top down
        labels << QString::fromStdString(shown[size_t(i)]->name);
    }
    double extent = 1;
    if (m_deltaRows > 0) {
        auto *group = new QCPBarsGroup(m_deltaChart);
        for (int c = 0; c < runs; ++c) {
            QVector<double> keys, values, minus, plus;
            for (int i = 0; i < m_deltaRows; ++i) {
                const ft::MatrixRow &r = *shown[size_t(i)];
                const auto &cell = c < int(r.runs.size()) ? r.runs[size_t(c)] : std::nullopt;
                if (!cell || !cell->difference)
                    continue;
                const double scale = *ft::deltaPointsScale(r);
                const ft::BootstrapResult &d = *cell->difference;
                keys << ticks[i];
                values << scale * d.estimate;
                minus << std::max(0.0, scale * (d.estimate - d.interval.low));
                plus << std::max(0.0, scale * (d.interval.high - d.estimate));
                for (double x : {scale * d.interval.low, scale * d.interval.high, scale * d.estimate})
                    if (std::isfinite(x))
                        extent = std::max(extent, std::abs(x));
            }
            auto *bars = new QCPBars(m_deltaChart->yAxis, m_deltaChart->xAxis);
            bars->setName(runs > 1 ? QString::fromStdString(matrix.runs[size_t(c)].name) : tr("tuned"));
            bars->setPen(Qt::NoPen);
            bars->setBrush(runs > 1 ? kRunColours[size_t(c) % std::size(kRunColours)]
                                    : palette().color(QPalette::Highlight));
            bars->setBarsGroup(group);
            bars->setWidth(0.7 / double(std::max(1, runs)));
            bars->setData(keys, values);
            auto *whiskers = new QCPErrorBars(m_deltaChart->yAxis, m_deltaChart->xAxis);
            whiskers->removeFromLegend();
            whiskers->setDataPlottable(bars);
            whiskers->setErrorType(QCPErrorBars::etValueError);
            whiskers->setData(minus, plus);
        }
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        ticker->addTicks(ticks, labels);
        m_deltaChart->yAxis->setTicker(ticker);
    }
    m_deltaChart->yAxis->setRange(0.4, m_deltaRows + 0.6);
    m_deltaChart->xAxis->setRange(-1.1 * extent, 1.1 * extent);
    m_deltaChart->legend->setVisible(runs > 1 && m_deltaRows > 0);
    m_deltaChart->replot();
}

int EvaluationMatrixView::matrixRowCount() const
{
    return m_matrix->rowCount();
}

int EvaluationMatrixView::changedRowCount() const
{
    return m_rows->rowCount();
}

int EvaluationMatrixView::matrixColumnCount() const
{
    return m_matrix->columnCount();
}

QString EvaluationMatrixView::headerText(int column) const
{
    const QTableWidgetItem *item = m_matrix->horizontalHeaderItem(column);
    return item ? item->text() : QString();
}

QString EvaluationMatrixView::pairingNote() const
{
    return m_pairing->text();
}

QString EvaluationMatrixView::cellText(int row, int column) const
{
    const QTableWidgetItem *item = m_matrix->item(row, column);
    return item ? item->text() : QString();
}

} // namespace ftui
