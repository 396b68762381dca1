#include "placeholderpage.h"

#include "theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace {

constexpr int kColumnWidth = 560;

} // namespace

namespace ftui {

PlaceholderPage::PlaceholderPage(PageIcon icon, const QString &title, const QString &purpose,
                                 const QString &arrival, QWidget *parent)
    : QWidget(parent)
{
    auto *iconLabel = new QLabel;
    iconLabel->setPixmap(
        pageIconPixmap(icon, 56, theme::secondaryText(palette()), devicePixelRatioF()));
    iconLabel->setAlignment(Qt::AlignCenter);

    auto *titleLabel = new QLabel(title);
    theme::makeHeading(titleLabel, 1.6);
    titleLabel->setAlignment(Qt::AlignCenter);

    auto *purposeLabel = new QLabel(purpose);
    purposeLabel->setWordWrap(true);
    purposeLabel->setAlignment(Qt::AlignCenter);
    purposeLabel->setVisible(!purpose.isEmpty());

    auto *arrivalLabel = new QLabel(arrival);
    arrivalLabel->setObjectName(QStringLiteral("arrival"));
    arrivalLabel->setWordWrap(true);
    arrivalLabel->setAlignment(Qt::AlignCenter);
    theme::makeSecondary(arrivalLabel);

    // Wrapped labels get their height only without layout alignment flags: a fixed-width column.
    auto *column = new QWidget;
    column->setFixedWidth(kColumnWidth);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->setSpacing(12);
    columnLayout->addWidget(iconLabel);
    columnLayout->addSpacing(4);
    columnLayout->addWidget(titleLabel);
    columnLayout->addWidget(purposeLabel);
    columnLayout->addWidget(arrivalLabel);

    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(column);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(40, 40, 40, 40);
    layout->addStretch(2);
    layout->addLayout(row);
    layout->addStretch(3);
}

} // namespace ftui
