#include "recentprojectsmenu.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace ftui {

namespace {

const char kSettingsKey[] = "recentProjects";

} // namespace

RecentProjectsMenu::RecentProjectsMenu(QWidget *parent) : QMenu(tr("Recent Projects"), parent)
{
    setObjectName(QStringLiteral("recentProjectsMenu"));
    m_paths = QSettings().value(QLatin1String(kSettingsKey)).toStringList().mid(0, kMaxEntries);
    rebuild();
}

void RecentProjectsMenu::addPath(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_paths.removeAll(absolute);
    m_paths.prepend(absolute);
    m_paths = m_paths.mid(0, kMaxEntries);
    save();
    rebuild();
}

void RecentProjectsMenu::clearPaths()
{
    m_paths.clear();
    save();
    rebuild();
}

void RecentProjectsMenu::rebuild()
{
    QMenu::clear();
    for (int i = 0; i < m_paths.size(); ++i) {
        const QString path = m_paths.at(i);
        const QString shown = QDir::toNativeSeparators(path);
        const QString text =
            QStringLiteral("&%1  %2  —  %3")
                .arg(i + 1)
                .arg(QFileInfo(path).completeBaseName().replace('&', "&&"),
                     fontMetrics().elidedText(shown, Qt::ElideMiddle, 420).replace('&', "&&"));
        QAction *action = addAction(text, this, [this, path] { Q_EMIT openRequested(path); });
        action->setStatusTip(shown);
        action->setEnabled(QFileInfo::exists(path));
    }
    if (!m_paths.isEmpty())
        addSeparator();
    QAction *clearAction = addAction(tr("Clear Menu"), this, &RecentProjectsMenu::clearPaths);
    clearAction->setEnabled(!m_paths.isEmpty());
}

void RecentProjectsMenu::save() const
{
    QSettings().setValue(QLatin1String(kSettingsKey), m_paths);
}

} // namespace ftui
