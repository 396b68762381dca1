// Creating and opening projects (*.ftproj): the file dialogs, the check that the file is a
// project (ft::ProjectStore opens it), the error dialog, and the session update.
#pragma once

#include <QString>

class QWidget;

namespace ftui {

class StudioSession;

// Opens (or with `create`, creates) `path` as the session's project. On failure shows the
// engine's message in a dialog (unless `quiet`) and returns false; the session keeps its project.
bool openProject(QWidget *parent, StudioSession *session, const QString &path, bool create,
                 bool quiet = false, QString *error = nullptr);
// Asks for a new project file and creates it.
bool chooseNewProject(QWidget *parent, StudioSession *session);
// Asks for an existing project file and opens it.
bool chooseOpenProject(QWidget *parent, StudioSession *session);

} // namespace ftui
