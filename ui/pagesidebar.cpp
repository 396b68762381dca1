#include "pagesidebar.h"

#include "theme.h"

#include <QLabel>
#include <QListWidget>
#include <QVBoxLayout>

namespace ftui {

namespace {

constexpr int kWidth = 212;
constexpr int kRowHeight = 40;

} // namespace

PageSidebar::PageSidebar(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("pageSidebar"));
    setStyleSheet(QStringLiteral("QFrame#pageSidebar { background: palette(base);"
                                 " border: none; border-right: 1px solid palette(mid); }"));
    setFixedWidth(kWidth);

    auto *brand = new QLabel(tr("FineTune Studio"));
    theme::makeHeading(brand, 1.2, QFont::Bold);
    auto *caption = new QLabel(tr("WORKFLOW"));
    caption->setFont(theme::scaledFont(font(), 0.8, QFont::Bold));
    theme::makeSecondary(caption);

    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("sidebar"));
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setIconSize(QSize(20, 20));
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setFocusPolicy(Qt::StrongFocus);
    m_list->setStyleSheet(QStringLiteral(
        "QListWidget { background: transparent; outline: 0; }"
        "QListWidget::item { border-radius: 6px; padding-left: 8px; margin: 1px 0px; }"
        "QListWidget::item:hover:enabled:!selected { background: palette(alternate-base); }"
        "QListWidget::item:selected { background: palette(highlight);"
        " color: palette(highlighted-text); }"));
    connect(m_list, &QListWidget::currentRowChanged, this, &PageSidebar::currentRowChanged);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 22, 12, 12);
    layout->setSpacing(6);
    layout->addWidget(brand);
    layout->addSpacing(14);
    layout->addWidget(caption);
    layout->addWidget(m_list, 1);
}

void PageSidebar::addPage(PageIcon icon, const QString &name, bool available,
                          const QString &toolTip)
{
    auto *item = new QListWidgetItem(pageIcon(icon, palette()), name, m_list);
    item->setSizeHint(QSize(0, kRowHeight));
    item->setToolTip(toolTip);
    if (!available)
        item->setFlags(Qt::NoItemFlags);
}

int PageSidebar::currentRow() const
{
    return m_list->currentRow();
}

void PageSidebar::setCurrentRow(int row)
{
    m_list->setCurrentRow(row);
}

bool PageSidebar::isAvailable(int row) const
{
    const QListWidgetItem *item = m_list->item(row);
    return item && item->flags().testFlag(Qt::ItemIsEnabled);
}

} // namespace ftui
