// The Evaluate page's results: the matrix (base | each tuned run | each run's difference
// [95 % interval]), the forgetting warning, the note on which items were paired, the rows where
// base and tuned differ most, and two charts (QCustomPlot): per-category benchmark accuracy of
// base and each run, and each metric's difference per run with its interval (metric deltas).
#pragma once

#include <QWidget>

#include <optional>
#include <vector>

class QCustomPlot;
class QLabel;
class QTableWidget;

// Forward only: this header stays light for the pages that include it.
namespace ft {
struct EvaluationItem;
struct EvaluationMatrix;
struct MatrixCell;
struct MatrixRow;
}

namespace ftui {

class EvaluationMatrixView : public QWidget
{
    Q_OBJECT

public:
    explicit EvaluationMatrixView(QWidget *parent = nullptr);

    // The matrix and the items of the evaluations it came from (either list may be empty).
    void setContents(const ft::EvaluationMatrix &matrix, const std::vector<ft::EvaluationItem> &benchmarkItems,
                     const std::vector<ft::EvaluationItem> &domainItems);
    void clear();

    int matrixRowCount() const;
    int changedRowCount() const;
    int chartCategoryCount() const { return m_categories; }
    int deltaChartRowCount() const { return m_deltaRows; }
    // The matrix as shown, for tests: the cell text at (row, column); columns Part, Metric, Base,
    // one per run (tuned), one per run (difference), n.
    QString cellText(int row, int column) const;
    int matrixColumnCount() const;
    QString headerText(int column) const;
    QString pairingNote() const;

private:
    void fillMatrix(const ft::EvaluationMatrix &matrix);
    static QString differenceText(const ft::MatrixRow &row, const ft::MatrixCell &cell);
    void fillChangedRows(const std::vector<ft::EvaluationItem> &benchmarkItems,
                         const std::vector<ft::EvaluationItem> &domainItems);
    void fillChart(const ft::EvaluationMatrix &matrix);
    void fillDeltaChart(const ft::EvaluationMatrix &matrix);

    QLabel *m_warning = nullptr;
    QLabel *m_pairing = nullptr;
    QTableWidget *m_matrix = nullptr;
    QTableWidget *m_rows = nullptr;
    QCustomPlot *m_chart = nullptr;
    QCustomPlot *m_deltaChart = nullptr;
    int m_categories = 0;
    int m_deltaRows = 0;
};

// The per-item change tuned - base the rows list sorts by: for a benchmark item its correctness,
// for a domain row the first of rouge_l, f1, em, accuracy it has; nullopt without a tuned side.
std::optional<double> itemChange(const ft::EvaluationItem &item);

} // namespace ftui
