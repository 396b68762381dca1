// Above the Data page's row table: the filters (status, finding kind) and the actions on the
// selected rows (accept / exclude / pending with A / X / P, edit with E).
#pragma once

#include <QWidget>

#include <set>
#include <string>

class QComboBox;
class QPushButton;

namespace ftui {

class RowToolbar : public QWidget
{
    Q_OBJECT

public:
    explicit RowToolbar(QWidget *parent = nullptr);

    // Any status, any finding, and the finding kinds of a newly selected dataset to choose from.
    void resetFilters(const std::set<std::string> &findingKinds);
    // Shows a filter set elsewhere, without emitting filterChanged.
    void showFilter(const QString &status, const QString &findingKind);
    void setRowActionsEnabled(bool enabled);
    QComboBox *findingFilter() const { return m_findingFilter; }

Q_SIGNALS:
    // Status "" (any) / pending / accepted / excluded, finding kind "" (any).
    void filterChanged(const QString &status, const QString &findingKind);
    void statusRequested(int status); // an ft::RowStatus
    void editRequested();

private:
    QComboBox *m_statusFilter = nullptr;
    QComboBox *m_findingFilter = nullptr;
    QList<QPushButton *> m_rowButtons;
};

} // namespace ftui
