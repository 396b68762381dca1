#include "recentfilesmenu.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

namespace ftui {

RecentFilesMenu::RecentFilesMenu(const QString &title, const QString &objectName,
                                 const QString &settingsKey,
                                 std::function<QString(const QString &)> displayName,
                                 QWidget *parent)
    : QMenu(title, parent), m_settingsKey(settingsKey), m_displayName(std::move(displayName))
{
    setObjectName(objectName);
    m_paths = QSettings().value(m_settingsKey).toStringList().mid(0, kMaxEntries);
    rebuild();
}

void RecentFilesMenu::addPath(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_paths.removeAll(absolute);
    m_paths.prepend(absolute);
    m_paths = m_paths.mid(0, kMaxEntries);
    save();
    rebuild();
}

void RecentFilesMenu::clearPaths()
{
    m_paths.clear();
    save();
    rebuild();
}

void RecentFilesMenu::rebuild()
{
    QMenu::clear();
    for (int i = 0; i < m_paths.size(); ++i) {
        const QString path = m_paths.at(i);
        const QString shown = QDir::toNativeSeparators(path);
        const QString text =
            QStringLiteral("&%1  %2  —  %3")
                .arg(i + 1)
                .arg(m_displayName(path).replace('&', "&&"),
                     fontMetrics().elidedText(shown, Qt::ElideMiddle, 420).replace('&', "&&"));
        QAction *action = addAction(text, this, [this, path] { Q_EMIT openRequested(path); });
        action->setStatusTip(shown);
        action->setEnabled(QFileInfo::exists(path));
    }
    if (!m_paths.isEmpty())
        addSeparator();
    QAction *clearAction = addAction(tr("Clear Menu"), this, &RecentFilesMenu::clearPaths);
    clearAction->setEnabled(!m_paths.isEmpty());
    setEnabled(true);
}

void RecentFilesMenu::save() const
{
    QSettings().setValue(m_settingsKey, m_paths);
}

} // namespace ftui
