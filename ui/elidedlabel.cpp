#include "elidedlabel.h"

#include <QPainter>
#include <QStyle>

namespace ftui {

namespace {

constexpr int kMinimumCharacters = 8;

} // namespace

ElidedLabel::ElidedLabel(const QString &text, QWidget *parent) : QLabel(text, parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
    // Takes the room a layout offers and gives it back without complaint.
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

void ElidedLabel::setElideMode(Qt::TextElideMode mode)
{
    m_mode = mode;
    update();
}

QString ElidedLabel::shownText() const
{
    const int m = margin();
    const int width = contentsRect().adjusted(m, m, -m, -m).width();
    return fontMetrics().elidedText(text(), m_mode, width);
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QSize full = QLabel::minimumSizeHint();
    const int m = 2 * margin();
    const QMargins frame = contentsMargins();
    const int few = fontMetrics().averageCharWidth() * kMinimumCharacters + m + frame.left() +
                    frame.right();
    return {qMin(full.width(), few), full.height()};
}

void ElidedLabel::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    drawFrame(&painter);
    const int m = margin();
    const QRect area = contentsRect().adjusted(m, m, -m, -m);
    const QString shown = fontMetrics().elidedText(text(), m_mode, area.width());
    updateToolTip(shown != text());
    style()->drawItemText(&painter, area, QStyle::visualAlignment(layoutDirection(), alignment()),
                          palette(), isEnabled(), shown, foregroundRole());
}

void ElidedLabel::updateToolTip(bool elided)
{
    const QString current = toolTip();
    if (!current.isEmpty() && current != m_autoToolTip)
        return;  // the caller's own tooltip
    m_autoToolTip = elided ? text() : QString();
    if (current != m_autoToolTip)
        setToolTip(m_autoToolTip);
}

} // namespace ftui
