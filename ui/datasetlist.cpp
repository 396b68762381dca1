#include "datasetlist.h"

#include <ft/project.h>

#include <QHeaderView>
#include <QLocale>

namespace ftui {

DatasetList::DatasetList(QWidget *parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("datasetList"));
    setHeaderLabels({tr("Dataset"), tr("Format"), tr("Rows"), tr("Findings"),
                     tr("Split (train / val / test)")});
    setRootIsDecorated(false);
    setMaximumHeight(96);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
}

void DatasetList::reload(const ft::ProjectStore *store)
{
    QSignalBlocker block(this);
    clear();
    clear();
    if (store) {
        for (const ft::DatasetInfo &d : store->datasets()) {
            const ft::SplitCounts split = store->splitCounts(d.id);
            auto *item = new QTreeWidgetItem(
                {QString::fromStdString(d.name), QString::fromStdString(d.format),
                 QLocale().toString(qlonglong(d.rowCount)),
                 QLocale().toString(qlonglong(d.findingCount)),
                 store->hasSplits(d.id) ? QStringLiteral("%1 / %2 / %3")
                                              .arg(split.train).arg(split.validation).arg(split.test)
                                        : tr("not split")});
            item->setData(0, Qt::UserRole, qlonglong(d.id));
            item->setData(2, Qt::UserRole, qlonglong(d.rowCount));
            item->setToolTip(0, QString::fromStdString(d.sourcePath));
            for (int c = 2; c <= 3; ++c)
                item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
            addTopLevelItem(item);
        }
        for (int c = 1; c < columnCount(); ++c)
            resizeColumnToContents(c);
    }
}

QTreeWidgetItem *DatasetList::findDataset(const QString &name) const
{
    for (int i = 0; i < topLevelItemCount(); ++i)
        if (topLevelItem(i)->text(0) == name)
            return topLevelItem(i);
    return nullptr;
}

QString DatasetList::currentName() const
{
    const QTreeWidgetItem *item = currentItem();
    return item ? item->text(0) : QString();
}

int64_t DatasetList::currentId() const
{
    const QTreeWidgetItem *item = currentItem();
    return item ? item->data(0, Qt::UserRole).toLongLong() : 0;
}

int64_t DatasetList::currentRowCount() const
{
    const QTreeWidgetItem *item = currentItem();
    return item ? item->data(2, Qt::UserRole).toLongLong() : 0;
}

} // namespace ftui
