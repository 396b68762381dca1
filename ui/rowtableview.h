// The Data page's table of the selected dataset's rows: fixed row heights and column widths so
// that nothing measures all rows of a large dataset, and a selection (by dataset index) that
// survives a reload of the rows.
#pragma once

#include <QTableView>

#include <cstdint>
#include <vector>

namespace ft {
struct ProjectRow;
}

namespace ftui {

class RowTableModel;

class RowTableView : public QTableView
{
    Q_OBJECT

public:
    explicit RowTableView(RowTableModel *model, QWidget *parent = nullptr);

    // The selected rows' dataset indices, ascending.
    std::vector<int64_t> selectedIndices() const;
    // The row at the cursor; null when none.
    const ft::ProjectRow *rowAtCursor() const;
    // Reloads the rows from the store and selects the same dataset rows again.
    void reloadKeepingSelection();

private:
    RowTableModel *m_model;
};

} // namespace ftui
