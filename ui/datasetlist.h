// The Data page's list of the project's datasets: name, format, rows, findings and split, one
// line each; an item keeps its dataset's id and row count.
#pragma once

#include <QTreeWidget>

namespace ft {
class ProjectStore;
}

namespace ftui {

class DatasetList : public QTreeWidget
{
    Q_OBJECT

public:
    explicit DatasetList(QWidget *parent = nullptr);

    // Lists the store's datasets (none without a store), without emitting currentItemChanged.
    void reload(const ft::ProjectStore *store);
    // The dataset's line; null when absent.
    QTreeWidgetItem *findDataset(const QString &name) const;
    QString currentName() const;
    // Of the current dataset; 0 when none.
    int64_t currentId() const;
    int64_t currentRowCount() const;
};

} // namespace ftui
