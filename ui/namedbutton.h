// A push button with an object name (tests and screenshots find it by name) and a tooltip.
#pragma once

#include <QPushButton>

namespace ftui {

inline QPushButton *namedButton(const QString &text, const QString &name, const QString &toolTip = {})
{
    auto *b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(toolTip);
    return b;
}

} // namespace ftui
