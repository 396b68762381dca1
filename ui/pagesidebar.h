// The left-hand navigation: the studio's name and its pages in workflow order. Pages that have
// not arrived yet are listed greyed out, with a tool tip saying what they arrive with.
#pragma once

#include "pageicons.h"

#include <QFrame>

class QListWidget;

namespace ftui {

class PageSidebar : public QFrame
{
    Q_OBJECT

public:
    explicit PageSidebar(QWidget *parent = nullptr);

    void addPage(PageIcon icon, const QString &name, bool available, const QString &toolTip);
    int currentRow() const;
    void setCurrentRow(int row);
    bool isAvailable(int row) const;
    QListWidget *list() const { return m_list; }

Q_SIGNALS:
    void currentRowChanged(int row);

private:
    QListWidget *m_list = nullptr;
};

} // namespace ftui
