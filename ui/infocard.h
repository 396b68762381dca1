// A titled card of "name  value" rows, the building block of summary pages.
#pragma once

#include <QFrame>

class QFormLayout;
class QLabel;

namespace ftui {

class InfoCard : public QFrame
{
    Q_OBJECT

public:
    explicit InfoCard(const QString &title, QWidget *parent = nullptr);

    // Adds a row and returns its (selectable, word-wrapped) value label, named `valueName` so
    // tests and later code can find it.
    QLabel *addRow(const QString &name, const QString &valueName,
                   const QString &toolTip = QString());

private:
    QFormLayout *m_form = nullptr;
};

} // namespace ftui
