#include "pageicons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPalette>

namespace ftui {

namespace {

// Glyphs are drawn on a 24 x 24 grid.
void drawGlyph(QPainter &p, PageIcon icon)
{
    switch (icon) {
    case PageIcon::Data: // a database cylinder
        p.drawEllipse(QRectF(5, 3, 14, 5));
        p.drawLine(QPointF(5, 5.5), QPointF(5, 18.5));
        p.drawLine(QPointF(19, 5.5), QPointF(19, 18.5));
        p.drawArc(QRectF(5, 9.5, 14, 5), 180 * 16, 180 * 16);
        p.drawArc(QRectF(5, 16, 14, 5), 180 * 16, 180 * 16);
        break;
    case PageIcon::Model: { // a small network: three inputs, two outputs
        const QPointF in[] = {{5, 5}, {5, 12}, {5, 19}};
        const QPointF out[] = {{19, 8.5}, {19, 15.5}};
        for (const QPointF &a : in)
            for (const QPointF &b : out)
                p.drawLine(a, b);
        p.save();
        p.setBrush(p.pen().color());
        for (const QPointF &a : in)
            p.drawEllipse(a, 2.2, 2.2);
        for (const QPointF &b : out)
            p.drawEllipse(b, 2.2, 2.2);
        p.restore();
        break;
    }
    case PageIcon::Strategy: // stacked layers
        for (int i = 0; i < 3; ++i) {
            const double y = 6 + i * 5;
            QPolygonF layer({{12, y - 3.5}, {20, y}, {12, y + 3.5}, {4, y}});
            p.drawPolygon(layer);
        }
        break;
    case PageIcon::Train: { // a falling loss curve on axes
        p.drawLine(QPointF(4, 3), QPointF(4, 20));
        p.drawLine(QPointF(4, 20), QPointF(21, 20));
        QPainterPath curve(QPointF(6, 5));
        curve.cubicTo(QPointF(9, 14), QPointF(12, 15.5), QPointF(20, 16.5));
        p.drawPath(curve);
        break;
    }
    case PageIcon::Compare: // two panes side by side
        p.drawRoundedRect(QRectF(3, 4, 8, 16), 2, 2);
        p.drawRoundedRect(QRectF(13, 4, 8, 16), 2, 2);
        p.drawLine(QPointF(5.5, 9), QPointF(8.5, 9));
        p.drawLine(QPointF(5.5, 13), QPointF(8.5, 13));
        p.drawLine(QPointF(15.5, 9), QPointF(18.5, 9));
        p.drawLine(QPointF(15.5, 13), QPointF(18.5, 13));
        break;
    case PageIcon::Evaluate: // a check in a circle
        p.drawEllipse(QRectF(3, 3, 18, 18));
        p.drawPolyline(QPolygonF({{7.5, 12.5}, {10.5, 15.5}, {16.5, 9}}));
        break;
    case PageIcon::Export: // an arrow leaving a tray
        p.drawPolyline(QPolygonF({{4, 14}, {4, 20}, {20, 20}, {20, 14}}));
        p.drawLine(QPointF(12, 3.5), QPointF(12, 15));
        p.drawPolyline(QPolygonF({{7.5, 8}, {12, 3.5}, {16.5, 8}}));
        break;
    }
}

} // namespace

QPixmap pageIconPixmap(PageIcon icon, int size, const QColor &color, qreal devicePixelRatio)
{
    const int pixels = qRound(size * devicePixelRatio);
    QPixmap pixmap(pixels, pixels);
    pixmap.fill(Qt::transparent);
    pixmap.setDevicePixelRatio(devicePixelRatio);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(size / 24.0, size / 24.0);
    QPen pen(color, 1.6);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    drawGlyph(p, icon);
    return pixmap;
}

QIcon pageIcon(PageIcon icon, const QPalette &palette)
{
    QIcon result;
    for (const int size : {16, 20, 24, 32}) {
        for (const qreal ratio : {1.0, 2.0}) {
            result.addPixmap(pageIconPixmap(icon, size, palette.color(QPalette::Text), ratio),
                             QIcon::Normal);
            result.addPixmap(
                pageIconPixmap(icon, size, palette.color(QPalette::HighlightedText), ratio),
                QIcon::Selected);
            result.addPixmap(pageIconPixmap(icon, size,
                                            palette.color(QPalette::Disabled, QPalette::Text),
                                            ratio),
                             QIcon::Disabled);
        }
    }
    return result;
}

} // namespace ftui
