#include "recentmodelsmenu.h"

#include "displayformat.h"

namespace ftui {

RecentModelsMenu::RecentModelsMenu(QWidget *parent)
    : RecentFilesMenu(tr("Recent Models"), QStringLiteral("recentModelsMenu"),
                      QStringLiteral("recentModels"),
                      [](const QString &path) { return format::modelName(path); }, parent)
{
}

} // namespace ftui
