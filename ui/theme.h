// The studio's look, derived from the system palette: a few helpers so pages agree on text
// roles, card frames and the one warning accent (amber with alpha, readable on light and dark).
#pragma once

#include <QColor>
#include <QFont>
#include <QString>

class QLabel;
class QPalette;
class QWidget;

namespace ftui::theme {

// Text that is secondary to the main text (captions, paths, field names).
QColor secondaryText(const QPalette &palette);
// Amber used for warnings, with an alpha for backgrounds.
QColor warningAccent(int alpha = 255);
// Whether `palette` is a dark one (light text on a dark window).
bool isDark(const QPalette &palette);
// A dark palette for the Fusion style: what the studio looks like on a dark desktop, and what
// FT_STUDIO_PALETTE=dark selects where there is no desktop theme (Xvfb screenshots, checks).
QPalette darkPalette();

QFont scaledFont(const QFont &base, double scale, QFont::Weight weight = QFont::Normal);
void makeSecondary(QLabel *label);
void makeHeading(QLabel *label, double scale, QFont::Weight weight = QFont::DemiBold);

// A rounded frame on the base colour; give the frame this object name.
inline constexpr char kCardName[] = "ftCard";
QString cardStyleSheet();
QString warningBoxStyleSheet(const QString &objectName);

} // namespace ftui::theme
