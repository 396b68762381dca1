// The Evaluate page's results: the matrix (base | tuned | difference [95 % interval]), the
// forgetting warning, the rows where base and tuned differ most, and a bar chart of per-category
// benchmark accuracy, base against tuned (QCustomPlot).
#pragma once

#include <QWidget>

#include <optional>
#include <vector>

class QCustomPlot;
class QLabel;
class QTableWidget;

// Forward only: ft/evalmatrix.h brings evalstats.h, whose WinRate clashes with ratingstore.h's in
// the moc unit that also sees comparepage.h.
namespace ft {
struct EvaluationItem;
struct EvaluationMatrix;
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
    // The matrix as shown, for tests: the cell text at (row, column).
    QString cellText(int row, int column) const;

private:
    void fillMatrix(const ft::EvaluationMatrix &matrix);
    void fillChangedRows(const std::vector<ft::EvaluationItem> &benchmarkItems,
                         const std::vector<ft::EvaluationItem> &domainItems);
    void fillChart(const ft::EvaluationMatrix &matrix);

    QLabel *m_warning = nullptr;
    QTableWidget *m_matrix = nullptr;
    QTableWidget *m_rows = nullptr;
    QCustomPlot *m_chart = nullptr;
    int m_categories = 0;
};

// The per-item change tuned - base the rows list sorts by: for a benchmark item its correctness,
// for a domain row the first of rouge_l, f1, em, accuracy it has; nullopt without a tuned side.
std::optional<double> itemChange(const ft::EvaluationItem &item);

} // namespace ftui
