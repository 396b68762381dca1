// File > Recent Models: the last models opened successfully, kept in QSettings.
#pragma once

#include <QMenu>
#include <QStringList>

namespace ftui {

class RecentModelsMenu : public QMenu
{
    Q_OBJECT

public:
    static constexpr int kMaxEntries = 8;

    explicit RecentModelsMenu(QWidget *parent = nullptr);

    QStringList paths() const { return m_paths; }
    // Moves `path` to the top (and stores the list).
    void addPath(const QString &path);
    void clearPaths();

Q_SIGNALS:
    void openRequested(const QString &path);

private:
    void rebuild();
    void save() const;

    QStringList m_paths;
};

} // namespace ftui
