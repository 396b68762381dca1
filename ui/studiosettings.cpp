#include "studiosettings.h"

#include "theme.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>

#include <algorithm>

namespace ftui::settings {
namespace {

constexpr char kTheme[] = "settings/theme";
constexpr char kThreads[] = "settings/threads";
constexpr char kModelsFolder[] = "settings/models_folder";
constexpr char kProjectsFolder[] = "settings/projects_folder";

bool isDir(const QString &path)
{
    return !path.isEmpty() && QFileInfo(path).isDir();
}

} // namespace

Theme theme()
{
    const QString value = QSettings().value(QLatin1String(kTheme)).toString();
    if (value == QLatin1String("light"))
        return Theme::Light;
    if (value == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

void setTheme(Theme theme)
{
    const char *names[] = {"system", "light", "dark"};
    QSettings().setValue(QLatin1String(kTheme), QLatin1String(names[static_cast<int>(theme)]));
}

void applyTheme(QApplication &app, Theme theme)
{
    if (theme == Theme::System)
        return;
    QApplication::setStyle(QStringLiteral("Fusion"));
    app.setPalette(theme == Theme::Dark ? theme::darkPalette() : QApplication::style()->standardPalette());
}

int threads()
{
    return std::clamp(QSettings().value(QLatin1String(kThreads), 0).toInt(), 0, 256);
}

void setThreads(int threads)
{
    QSettings().setValue(QLatin1String(kThreads), std::clamp(threads, 0, 256));
}

QString modelsFolder()
{
    return QSettings().value(QLatin1String(kModelsFolder)).toString();
}

void setModelsFolder(const QString &folder)
{
    QSettings().setValue(QLatin1String(kModelsFolder), folder);
}

QString projectsFolder()
{
    return QSettings().value(QLatin1String(kProjectsFolder)).toString();
}

void setProjectsFolder(const QString &folder)
{
    QSettings().setValue(QLatin1String(kProjectsFolder), folder);
}

QString modelStartFolder(const QString &lastUsed)
{
    if (isDir(modelsFolder()))
        return modelsFolder();
    return isDir(lastUsed) ? lastUsed : QDir::homePath();
}

QString projectStartFolder()
{
    return isDir(projectsFolder()) ? projectsFolder()
                                   : QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

} // namespace ftui::settings
