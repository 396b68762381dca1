// A File > Recent ... menu: the last files opened, newest first, kept in QSettings under one key.
// RecentModelsMenu and RecentProjectsMenu differ only in their title, key and how an entry is named.
#pragma once

#include <QMenu>
#include <QStringList>

#include <functional>

namespace ftui {

class RecentFilesMenu : public QMenu
{
    Q_OBJECT

public:
    static constexpr int kMaxEntries = 8;

    QStringList paths() const { return m_paths; }
    // Moves `path` to the top (and stores the list).
    void addPath(const QString &path);
    void clearPaths();

Q_SIGNALS:
    void openRequested(const QString &path);

protected:
    RecentFilesMenu(const QString &title, const QString &objectName, const QString &settingsKey,
                    std::function<QString(const QString &)> displayName, QWidget *parent);

private:
    void rebuild();
    void save() const;

    QString m_settingsKey;
    std::function<QString(const QString &)> m_displayName;
    QStringList m_paths;
};

} // namespace ftui
