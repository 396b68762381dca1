// File > Recent Projects: the last projects opened or created, kept in QSettings.
#pragma once

#include <QMenu>
#include <QStringList>

namespace ftui {

class RecentProjectsMenu : public QMenu
{
    Q_OBJECT

public:
    static constexpr int kMaxEntries = 8;

    explicit RecentProjectsMenu(QWidget *parent = nullptr);

    QStringList paths() const { return m_paths; }
    void addPath(const QString &path); // moves it to the top and stores the list
    void clearPaths();

Q_SIGNALS:
    void openRequested(const QString &path);

private:
    void rebuild();
    void save() const;

    QStringList m_paths;
};

} // namespace ftui
