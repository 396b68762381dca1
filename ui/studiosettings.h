// The studio's own preferences (Edit > Settings), kept in QSettings: the theme and the CPU
// threads, applied when the studio starts (main.cpp), and the folders the file dialogs open in.
// The language has its own module (language.h); projects keep their own settings.
#pragma once

#include <QString>

class QApplication;

namespace ftui::settings {

enum class Theme { System, Light, Dark };

Theme theme();                 // System when unset
void setTheme(Theme theme);
// Fusion with a light or dark palette; System leaves the desktop's style alone.
void applyTheme(QApplication &app, Theme theme);

int threads();                 // 0: the physical cores (the engine's default)
void setThreads(int threads);  // clamped to 0..256

// Where File > Open Model and File > Open Project start: the chosen folder when it exists,
// else `lastUsed` when it exists, else the home / documents folder.
QString modelsFolder();
void setModelsFolder(const QString &folder);
QString projectsFolder();
void setProjectsFolder(const QString &folder);
QString modelStartFolder(const QString &lastUsed);
QString projectStartFolder();

} // namespace ftui::settings
