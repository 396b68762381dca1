// Line icons for the studio's pages, painted in the palette's text colours (so they follow light
// and dark themes without image files).
#pragma once

#include <QIcon>

class QPalette;

namespace ftui {

enum class PageIcon { Data, Model, Strategy, Train, Compare, Evaluate, Export };

QIcon pageIcon(PageIcon icon, const QPalette &palette);
// One glyph at any size in one colour (e.g. the large icon of an empty state).
QPixmap pageIconPixmap(PageIcon icon, int size, const QColor &color, qreal devicePixelRatio);

} // namespace ftui
