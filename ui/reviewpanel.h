// The quality report of a dataset's last review: the score with the factors that explain it,
// for documents (pre-training text) their count, tokens, duplicates, languages and boilerplate,
// counts per finding kind, the token-length histogram with the training cutoff drawn on it
// (QCustomPlot), and the largest duplicate clusters. Shows the report JSON of ft::saveReview.
#pragma once

#include <nlohmann/json.hpp>

#include <QWidget>

class QCustomPlot;
class QLabel;
class QTreeWidget;

namespace ftui {

class ReviewPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ReviewPanel(QWidget *parent = nullptr);

    // An empty object clears the panel ("not reviewed yet").
    void setReport(const nlohmann::json &report);
    QString scoreText() const;
    int countRows() const;    // rows of the counts table (kinds with findings)
    int histogramBins() const { return m_bins; }
    // The finding kind (an ft::finding identifier) on row `row` of the counts table.
    QString kindAt(int row) const;
    // As a click on that row: explains it and emits findingActivated.
    void activateRow(int row);
    QString findingHelpText() const;
    // The document-level summary (plain-text datasets); "" otherwise.
    QString documentSummaryText() const;

Q_SIGNALS:
    // A finding was clicked: the Data page filters its table by it.
    void findingActivated(const QString &kind);

private:
    QLabel *m_score = nullptr;
    QLabel *m_explanation = nullptr;
    QLabel *m_documents = nullptr;
    QTreeWidget *m_counts = nullptr;
    QLabel *m_findingHelp = nullptr;
    QCustomPlot *m_plot = nullptr;
    QTreeWidget *m_clusters = nullptr;
    int m_bins = 0;
};

} // namespace ftui
