// "Open the Demo Project": the demo project (ft/demoproject.h) lives in the studio's data folder;
// it is created there the first time, then opened like any project, which also reopens the
// bundled model and the preset Train settings it stores.
#pragma once

#include <QString>

class QWidget;

namespace ftui {

class StudioSession;

// Where the demo project is kept (QStandardPaths::AppDataLocation/demo).
QString demoProjectPath();

// Creates the demo project when missing, then opens it. On failure shows the engine's message
// (unless `quiet`, then *error gets it) and returns false.
bool openDemoProject(QWidget *parent, StudioSession *session, bool quiet = false,
                     QString *error = nullptr);

} // namespace ftui
