// Help > User Guide (docs/user-guide.md, or its Chinese version, built into the program) and
// Help > Keyboard Shortcuts (collected from the window's own actions and buttons, so the list
// cannot drift from what the keys do).
#pragma once

#include <QList>
#include <QLocale>
#include <QPair>
#include <QString>

class QWidget;

namespace ftui {

// The guide for `locale` (Chinese for zh_*, else English), as Markdown.
QString userGuideMarkdown(const QLocale &locale = QLocale());

// (what, keys) for every action and button under `window` that has a shortcut, sorted by what.
QList<QPair<QString, QString>> keyboardShortcuts(const QWidget *window);

void showUserGuide(QWidget *parent);
void showKeyboardShortcuts(QWidget *window);

} // namespace ftui
