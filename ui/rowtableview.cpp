#include "rowtableview.h"

#include "rowtablemodel.h"

#include <QHeaderView>

#include <algorithm>

namespace ftui {

RowTableView::RowTableView(RowTableModel *model, QWidget *parent) : QTableView(parent), m_model(model)
{
    setObjectName(QStringLiteral("rowTable"));
    setModel(m_model);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setWordWrap(false);
    setTextElideMode(Qt::ElideRight);
    verticalHeader()->hide();
    // Fixed row heights and column widths: nothing measures all rows.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setStretchLastSection(false);
    setColumnWidth(RowTableModel::IndexColumn, 60);
    setColumnWidth(RowTableModel::StatusColumn, 90);
    setColumnWidth(RowTableModel::KindColumn, 50);
    setColumnWidth(RowTableModel::PromptColumn, 220);
    setColumnWidth(RowTableModel::AnswerColumn, 220);
    setColumnWidth(RowTableModel::FindingsColumn, 64);
    setColumnWidth(RowTableModel::SplitColumn, 70);
    horizontalHeader()->setSectionResizeMode(RowTableModel::AnswerColumn, QHeaderView::Stretch);
}

std::vector<int64_t> RowTableView::selectedIndices() const
{
    std::vector<int64_t> indices;
    for (const QModelIndex &i : selectionModel()->selectedRows())
        indices.push_back(m_model->datasetIndex(i.row()));
    std::sort(indices.begin(), indices.end());
    return indices;
}

const ft::ProjectRow *RowTableView::rowAtCursor() const
{
    const QModelIndex current = selectionModel()->currentIndex();
    return current.isValid() ? m_model->rowAt(current.row()) : nullptr;
}

void RowTableView::reloadKeepingSelection()
{
    // Keep the selection across the reload (by dataset index).
    const std::vector<int64_t> selected = selectedIndices();
    const QModelIndex current = selectionModel()->currentIndex();
    const int64_t currentIndex = current.isValid() ? m_model->datasetIndex(current.row()) : -1;
    m_model->reload();
    QItemSelection selection;
    for (int64_t index : selected) {
        const int row = m_model->tableRow(index);
        if (row >= 0)
            selection.select(m_model->index(row, 0), m_model->index(row, RowTableModel::ColumnCount - 1));
    }
    selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    const int currentRow = m_model->tableRow(currentIndex);
    if (currentRow >= 0)
        selectionModel()->setCurrentIndex(m_model->index(currentRow, 0),
                                          QItemSelectionModel::NoUpdate);
}

} // namespace ftui
