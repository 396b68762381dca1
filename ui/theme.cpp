#include "theme.h"

#include <QLabel>
#include <QPalette>

namespace ftui::theme {

namespace {

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

QString rgba(const QColor &c)
{
    return QStringLiteral("rgba(%1, %2, %3, %4)")
        .arg(c.red())
        .arg(c.green())
        .arg(c.blue())
        .arg(c.alpha());
}

} // namespace

QColor secondaryText(const QPalette &palette)
{
    return mix(palette.color(QPalette::WindowText), palette.color(QPalette::Window), 0.38);
}

QColor warningAccent(int alpha)
{
    QColor amber(232, 160, 20);
    amber.setAlpha(alpha);
    return amber;
}

QFont scaledFont(const QFont &base, double scale, QFont::Weight weight)
{
    QFont font = base;
    if (base.pointSizeF() > 0)
        font.setPointSizeF(base.pointSizeF() * scale);
    else
        font.setPixelSize(qRound(base.pixelSize() * scale));
    font.setWeight(weight);
    return font;
}

void makeSecondary(QLabel *label)
{
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, secondaryText(palette));
    label->setPalette(palette);
}

void makeHeading(QLabel *label, double scale, QFont::Weight weight)
{
    label->setFont(scaledFont(label->font(), scale, weight));
}

QString cardStyleSheet()
{
    return QStringLiteral("QFrame#%1 { background: palette(base); border: 1px solid palette(mid);"
                          " border-radius: 8px; }")
        .arg(QLatin1String(kCardName));
}

QString warningBoxStyleSheet(const QString &objectName)
{
    return QStringLiteral("QFrame#%1 { background: %2; border: 1px solid %3; border-radius: 8px; }")
        .arg(objectName, rgba(warningAccent(40)), rgba(warningAccent(170)));
}

} // namespace ftui::theme
