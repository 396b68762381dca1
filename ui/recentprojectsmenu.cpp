#include "recentprojectsmenu.h"

#include <QFileInfo>

namespace ftui {

RecentProjectsMenu::RecentProjectsMenu(QWidget *parent)
    : RecentFilesMenu(tr("Recent Projects"), QStringLiteral("recentProjectsMenu"),
                      QStringLiteral("recentProjects"),
                      [](const QString &path) { return QFileInfo(path).completeBaseName(); },
                      parent)
{
}

} // namespace ftui
