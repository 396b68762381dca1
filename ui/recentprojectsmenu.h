// File > Recent Projects: the last projects opened or created, kept in QSettings.
#pragma once

#include "recentfilesmenu.h"

namespace ftui {

class RecentProjectsMenu : public RecentFilesMenu
{
    Q_OBJECT

public:
    explicit RecentProjectsMenu(QWidget *parent = nullptr);
};

} // namespace ftui
