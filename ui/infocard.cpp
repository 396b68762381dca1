#include "infocard.h"

#include "theme.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace ftui {

namespace {

constexpr int kNameWidth = 150; // the same value column in every card

} // namespace

InfoCard::InfoCard(const QString &title, QWidget *parent) : QFrame(parent)
{
    setObjectName(QLatin1String(theme::kCardName));
    setStyleSheet(theme::cardStyleSheet());

    auto *titleLabel = new QLabel(title.toUpper());
    titleLabel->setFont(theme::scaledFont(font(), 0.82, QFont::Bold));
    theme::makeSecondary(titleLabel);

    m_form = new QFormLayout;
    m_form->setLabelAlignment(Qt::AlignLeft);
    m_form->setFormAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_form->setHorizontalSpacing(24);
    m_form->setVerticalSpacing(10);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setRowWrapPolicy(QFormLayout::DontWrapRows);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 16, 20, 18);
    layout->setSpacing(14);
    layout->addWidget(titleLabel);
    layout->addLayout(m_form);
    layout->addStretch(1);
}

QLabel *InfoCard::addRow(const QString &name, const QString &valueName, const QString &toolTip)
{
    auto *nameLabel = new QLabel(name);
    nameLabel->setMinimumWidth(kNameWidth);
    theme::makeSecondary(nameLabel);
    nameLabel->setToolTip(toolTip);
    auto *value = new QLabel;
    value->setObjectName(valueName);
    value->setTextFormat(Qt::PlainText); // engine text such as "<s>" is not markup
    value->setWordWrap(true);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setToolTip(toolTip);
    m_form->addRow(nameLabel, value);
    return value;
}

} // namespace ftui
