// File > Recent Models: the last models opened successfully, kept in QSettings.
#pragma once

#include "recentfilesmenu.h"

namespace ftui {

class RecentModelsMenu : public RecentFilesMenu
{
    Q_OBJECT

public:
    explicit RecentModelsMenu(QWidget *parent = nullptr);
};

} // namespace ftui
