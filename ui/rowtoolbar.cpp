#include "rowtoolbar.h"
#include "enumtext.h"

#include "findingtext.h"
#include "namedbutton.h"

#include <ft/project.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace ftui {

RowToolbar::RowToolbar(QWidget *parent) : QWidget(parent)
{
    m_statusFilter = new QComboBox;
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->addItem(tr("All statuses"), QString());
    for (auto s : {ft::RowStatus::Pending, ft::RowStatus::Accepted, ft::RowStatus::Excluded})
        m_statusFilter->addItem(rowStatusText(s),
                                QString::fromLatin1(ft::rowStatusName(s)));
    m_findingFilter = new QComboBox;
    m_findingFilter->setObjectName(QStringLiteral("findingFilter"));
    // The findings' plain names are long: the closed box shows the start, the list all.
    m_findingFilter->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_findingFilter->setMinimumContentsLength(14);
    auto applyFilter = [this] {
        Q_EMIT filterChanged(m_statusFilter->currentData().toString(),
                             m_findingFilter->currentData().toString());
    };
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, applyFilter);
    connect(m_findingFilter, &QComboBox::currentIndexChanged, this, applyFilter);

    auto *accept = namedButton(tr("Accept"), QStringLiteral("acceptButton"), tr("Accept the selected rows (A)"));
    auto *exclude = namedButton(tr("Exclude"), QStringLiteral("excludeButton"), tr("Exclude the selected rows from training (X)"));
    auto *pending = namedButton(tr("Pending"), QStringLiteral("pendingButton"), tr("Mark the selected rows pending (P)"));
    auto *edit = namedButton(tr("Edit…"), QStringLiteral("editButton"), tr("Edit the selected row's messages (E)"));
    accept->setShortcut(QKeySequence(Qt::Key_A));
    exclude->setShortcut(QKeySequence(Qt::Key_X));
    pending->setShortcut(QKeySequence(Qt::Key_P));
    edit->setShortcut(QKeySequence(Qt::Key_E));
    connect(accept, &QPushButton::clicked, this, [this] { Q_EMIT statusRequested(int(ft::RowStatus::Accepted)); });
    connect(exclude, &QPushButton::clicked, this, [this] { Q_EMIT statusRequested(int(ft::RowStatus::Excluded)); });
    connect(pending, &QPushButton::clicked, this, [this] { Q_EMIT statusRequested(int(ft::RowStatus::Pending)); });
    connect(edit, &QPushButton::clicked, this, &RowToolbar::editRequested);
    m_rowButtons = {accept, exclude, pending, edit};

    // Filters on one line, row actions on the next: together they would not fit beside the
    // row view in a 1024-pixel window.
    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show:")));
    filters->addWidget(m_statusFilter);
    filters->addWidget(m_findingFilter, 1);
    auto *actions = new QHBoxLayout;
    for (QPushButton *b : m_rowButtons)
        actions->addWidget(b);
    actions->addStretch(1);
    auto *rowBar = new QVBoxLayout(this);
    rowBar->setContentsMargins(0, 0, 0, 0);
    rowBar->setSpacing(4);
    rowBar->addLayout(filters);
    rowBar->addLayout(actions);
}

void RowToolbar::resetFilters(const std::set<std::string> &findingKinds)
{
    {
        QSignalBlocker block(m_findingFilter);
        m_findingFilter->clear();
        m_findingFilter->addItem(tr("All findings"), QString());
        for (const auto &k : findingKinds)
            m_findingFilter->addItem(findingName(QString::fromStdString(k)),
                                     QString::fromStdString(k));
        m_findingFilter->setEnabled(m_findingFilter->count() > 1);
    }
    {
        QSignalBlocker block(m_statusFilter);
        m_statusFilter->setCurrentIndex(0);
    }
}

void RowToolbar::showFilter(const QString &status, const QString &findingKind)
{
    QSignalBlocker a(m_statusFilter), b(m_findingFilter);
    m_statusFilter->setCurrentIndex(std::max(0, m_statusFilter->findData(status)));
    m_findingFilter->setCurrentIndex(std::max(0, m_findingFilter->findData(findingKind)));
}

void RowToolbar::setRowActionsEnabled(bool enabled)
{
    for (QPushButton *b : m_rowButtons)
        b->setEnabled(enabled);
}

} // namespace ftui
