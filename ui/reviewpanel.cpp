#include "reviewpanel.h"

#include "documentsummary.h"
#include "findingtext.h"
#include "theme.h"

#include <qcustomplot.h>

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ftui {

namespace {

double num(const nlohmann::json &j, const char *key, double fallback = 0)
{
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

} // namespace

ReviewPanel::ReviewPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("reviewPanel"));
    m_score = new QLabel;
    m_score->setObjectName(QStringLiteral("reviewScore"));
    theme::makeHeading(m_score, 1.5);
    m_explanation = new QLabel;
    m_explanation->setWordWrap(true);
    m_explanation->setTextFormat(Qt::RichText);
    m_documents = new QLabel;
    m_documents->setObjectName(QStringLiteral("documentSummary"));
    m_documents->setWordWrap(true);
    m_documents->setTextFormat(Qt::RichText);
    m_counts = new QTreeWidget;
    m_counts->setObjectName(QStringLiteral("reviewCounts"));
    m_counts->setHeaderLabels({tr("Finding"), tr("Rows"), tr("Findings")});
    m_counts->setRootIsDecorated(false);
    m_counts->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_counts->setToolTip(tr("Click a finding to see what it means and show its rows in the "
                            "table"));
    // A click explains the finding and filters the Data page's table by it.
    connect(m_counts, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        const QString kind = item->data(0, Qt::UserRole).toString();
        if (kind.isEmpty())
            return;
        m_findingHelp->setText(QStringLiteral("<b>%1</b> — %2")
                                   .arg(item->text(0).toHtmlEscaped(),
                                        item->toolTip(0).toHtmlEscaped()));
        Q_EMIT findingActivated(kind);
    });
    m_findingHelp = new QLabel;
    m_findingHelp->setObjectName(QStringLiteral("findingHelp"));
    m_findingHelp->setWordWrap(true);
    m_findingHelp->setTextFormat(Qt::RichText);
    m_plot = new QCustomPlot;
    m_plot->setObjectName(QStringLiteral("tokenHistogram"));
    m_plot->setMinimumHeight(150);
    m_plot->xAxis->setLabel(tr("tokens per row"));
    m_plot->yAxis->setLabel(tr("rows"));
    m_clusters = new QTreeWidget;
    m_clusters->setObjectName(QStringLiteral("duplicateClusters"));
    m_clusters->setHeaderLabels({tr("Duplicates"), tr("Size"), tr("First row")});
    m_clusters->setRootIsDecorated(false);
    m_clusters->header()->setSectionResizeMode(0, QHeaderView::Stretch);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_score);
    layout->addWidget(m_explanation);
    layout->addWidget(m_documents);
    m_counts->setMaximumHeight(150);
    layout->addWidget(m_counts);
    layout->addWidget(m_findingHelp);
    layout->addWidget(m_plot, 2);
    layout->addWidget(m_clusters, 1);
    setReport(nlohmann::json::object());
}

void ReviewPanel::setReport(const nlohmann::json &report)
{
    m_counts->clear();
    m_clusters->clear();
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_bins = 0;
    const QString documents = documentSummaryHtml(report);
    m_documents->setText(documents);
    m_documents->setVisible(!documents.isEmpty());
    if (!report.is_object() || report.empty() || !report.contains("score")) {
        m_score->setText(tr("Not reviewed yet"));
        m_findingHelp->clear();
        m_explanation->setText(tr("Review finds duplicates, empty or broken rows, length "
                                  "outliers, rows over the cutoff, encoding problems and "
                                  "personal data. It flags; it never deletes."));
        m_plot->replot();
        return;
    }
    const auto &score = report["score"];
    m_score->setText(tr("Quality score %1 / 100").arg(num(score, "value"), 0, 'f', 1));
    QString why;
    if (score.contains("factors"))
        for (const auto &f : score["factors"])
            if (num(f, "penalty") > 0.05)
                why += QStringLiteral("<li>%1</li>").arg(factorSentence(f).toHtmlEscaped());
    m_explanation->setText(why.isEmpty()
                               ? tr("Nothing lowers the score.")
                               : tr("Starting from 100:") +
                                     QStringLiteral("<ul style='margin:0'>%1</ul>").arg(why));
    m_findingHelp->setText(tr("Click a finding to see what it means and show its rows in the "
                              "table. Findings are flags: nothing is deleted."));

    if (report.contains("counts"))
        for (const auto &[kind, c] : report["counts"].items()) {
            if (num(c, "findings") <= 0)
                continue;
            const QString id = QString::fromStdString(kind);
            auto *item = new QTreeWidgetItem({findingName(id),
                                              QString::number(qint64(num(c, "rows"))),
                                              QString::number(qint64(num(c, "findings")))});
            item->setData(0, Qt::UserRole, id);
            item->setToolTip(0, findingExplanation(id, report));
            item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
            item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
            m_counts->addTopLevelItem(item);
        }
    if (m_counts->topLevelItemCount() == 0)
        m_counts->addTopLevelItem(new QTreeWidgetItem({tr("no findings")}));

    // The token histogram: bins of equal width, the last one open ("over"), the cutoff as a line.
    if (report.contains("token_lengths") && report["token_lengths"].contains("histogram")) {
        const auto &tl = report["token_lengths"];
        const auto &hist = tl["histogram"];
        QVector<double> x, y;
        double width = 1;
        for (const auto &bin : hist) {
            const double from = num(bin, "from");
            const double to = bin["to"].is_number() ? bin["to"].get<double>() : from + width;
            width = to - from;
            x << from + width / 2;
            y << num(bin, "rows");
        }
        m_bins = int(x.size());
        auto *bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
        bars->setData(x, y);
        bars->setWidth(width * 0.9);
        bars->setPen(Qt::NoPen);
        bars->setBrush(palette().color(QPalette::Highlight));
        const double cutoff = num(tl, "cutoff");
        auto *line = new QCPItemStraightLine(m_plot);
        line->point1->setCoords(cutoff, 0);
        line->point2->setCoords(cutoff, 1);
        line->setPen(QPen(theme::warningAccent(), 2, Qt::DashLine));
        const double xMax = x.isEmpty() ? cutoff : x.last() + width / 2;
        // Two short lines at the top of the plot, on the side of the line with more room (one
        // long line left of it was cut off by the axis in a narrow window).
        const bool labelRight = cutoff < xMax / 2;
        auto *label = new QCPItemText(m_plot);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(cutoff, 0.02);
        label->setPositionAlignment((labelRight ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignTop);
        label->setTextAlignment(labelRight ? Qt::AlignLeft : Qt::AlignRight);
        label->setPadding(QMargins(4, 0, 4, 0));
        label->setText(tr("cutoff %1 tokens\n%2 rows over it").arg(cutoff).arg(qint64(num(tl, "rows_truncated"))));
        label->setColor(palette().color(QPalette::Text));
        double top = 0;
        for (double v : y)
            top = std::max(top, v);
        m_plot->xAxis->setRange(0, xMax);
        m_plot->yAxis->setRange(0, std::max(1.0, top * 1.3));  // room for the label above the bars
        m_plot->xAxis->setLabel(tl.value("exact", false) ? tr("tokens per row")
                                                         : tr("tokens per row (estimated)"));
    }
    m_plot->replot();

    for (const char *key : {"exact_duplicates", "near_duplicates"}) {
        if (!report.contains(key) || !report[key].contains("top_clusters"))
            continue;
        const bool exact = std::string(key) == "exact_duplicates";
        for (const auto &c : report[key]["top_clusters"]) {
            auto *item = new QTreeWidgetItem(
                {(exact ? tr("exact: ") : tr("near: ")) +
                     QString::fromStdString(c.value("preview", std::string())).simplified(),
                 QString::number(qint64(num(c, "size"))),
                 QString::number(qint64(num(c, "representative")))});
            m_clusters->addTopLevelItem(item);
        }
    }
    if (m_clusters->topLevelItemCount() == 0)
        m_clusters->addTopLevelItem(new QTreeWidgetItem({tr("no duplicate clusters")}));
}

QString ReviewPanel::scoreText() const
{
    return m_score->text();
}

int ReviewPanel::countRows() const
{
    return m_counts->topLevelItemCount();
}

QString ReviewPanel::kindAt(int row) const
{
    const QTreeWidgetItem *item = m_counts->topLevelItem(row);
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

void ReviewPanel::activateRow(int row)
{
    if (QTreeWidgetItem *item = m_counts->topLevelItem(row))
        Q_EMIT m_counts->itemClicked(item, 0);
}

QString ReviewPanel::documentSummaryText() const
{
    return m_documents->text();
}

QString ReviewPanel::findingHelpText() const
{
    return m_findingHelp->text();
}

} // namespace ftui
