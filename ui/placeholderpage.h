// A page whose feature has not landed yet: says what it will do and what it arrives with. No
// fake data.
#pragma once

#include "pageicons.h"

#include <QWidget>

namespace ftui {

class PlaceholderPage : public QWidget
{
    Q_OBJECT

public:
    PlaceholderPage(PageIcon icon, const QString &title, const QString &purpose,
                    const QString &arrival, QWidget *parent = nullptr);
};

} // namespace ftui
