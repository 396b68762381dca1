#pragma once
// View > Language: System / English / 中文. The choice is stored (ftui::language) and takes
// effect when the studio starts again; the menu offers to restart now.

#include <QMenu>

namespace ftui {

class LanguageMenu : public QMenu
{
    Q_OBJECT
public:
    explicit LanguageMenu(QWidget *parent = nullptr);

    // Stores `choice` ("system", "en", "zh_CN") and, when it changes the language, asks to
    // restart (restartRequested on yes).
    void choose(const QString &choice);

Q_SIGNALS:
    void restartRequested();

private:
    QActionGroup *m_group = nullptr;
};

} // namespace ftui
