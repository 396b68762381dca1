#include "projectactions.h"

#include "studiosession.h"

#include <ft/project.h>

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QStandardPaths>

namespace ftui {

bool openProject(QWidget *parent, StudioSession *session, const QString &path, bool create,
                 bool quiet, QString *error)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    try {
        // Opening creates (when allowed) and migrates the schema; the pages open their own.
        ft::ProjectStore store(QFile::encodeName(absolute).toStdString(), !create);
    } catch (const std::exception &e) {
        const QString message = QString::fromUtf8(e.what());
        if (error)
            *error = message;
        if (!quiet)
            QMessageBox::warning(parent, QObject::tr("Cannot open the project"),
                                 QObject::tr("%1\n\nA project is a .ftproj file made by "
                                             "FineTune Studio or finetune-cli.")
                                     .arg(message));
        return false;
    }
    session->setProjectPath(absolute);
    return true;
}

bool chooseNewProject(QWidget *parent, StudioSession *session)
{
    QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("New Project"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) +
            QStringLiteral("/untitled.ftproj"),
        QObject::tr("FineTune projects (*.ftproj)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(QLatin1String(".ftproj")))
        path += QLatin1String(".ftproj");
    if (QFileInfo::exists(path) && !QFile::remove(path)) { // the dialog asked to overwrite
        QMessageBox::warning(parent, QObject::tr("Cannot create the project"),
                             QObject::tr("%1 exists and cannot be replaced.").arg(path));
        return false;
    }
    return openProject(parent, session, path, true);
}

bool chooseOpenProject(QWidget *parent, StudioSession *session)
{
    const QString path = QFileDialog::getOpenFileName(
        parent, QObject::tr("Open Project"), QString(),
        QObject::tr("FineTune projects (*.ftproj);;All files (*)"));
    return !path.isEmpty() && openProject(parent, session, path, false);
}

} // namespace ftui
