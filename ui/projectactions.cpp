#include "projectactions.h"
#include "studiosettings.h"

#include "studiosession.h"

#include <ft/project.h>
#include <ft/projectsafety.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

#include <string>

namespace ftui {

namespace {

std::string nativePath(const QString &path)
{
    return QFile::encodeName(path).toStdString();
}

// Refreshes the project's last good backup in the background (its own connection): a copy
// taken right after the project opened cleanly.
void refreshBackupLater(const QString &absolute)
{
    (void)QtConcurrent::run([file = nativePath(absolute)] {
        try {
            ft::ProjectStore store(file, true);
            ft::writeProjectBackup(store);
        } catch (const std::exception &e) {
            qWarning("project backup not written: %s", e.what());
        }
    });
}

// A damaged project with a backup beside it: asks, and restores it (the damaged file is kept).
bool offerBackup(QWidget *parent, const QString &absolute, const QString &message)
{
    const QString backup = QString::fromStdString(ft::projectBackupPath(nativePath(absolute)).string());
    if (!message.contains(QLatin1String("damaged")) || !QFileInfo::exists(backup))
        return false;
    const QString when = QLocale().toString(QFileInfo(backup).lastModified(), QLocale::ShortFormat);
    const auto answer = QMessageBox::question(
        parent, QObject::tr("The project is damaged"),
        QObject::tr("%1\n\nA backup taken when the project was last opened (%2) is beside it. Restore "
                    "it? The damaged file is kept as %3.damaged; changes made after %2 are not in the "
                    "backup.")
            .arg(message, when, QFileInfo(absolute).fileName()));
    if (answer != QMessageBox::Yes)
        return false;
    try {
        ft::restoreProjectBackup(nativePath(absolute));
        return true;
    } catch (const std::exception &e) {
        QMessageBox::warning(parent, QObject::tr("Cannot restore the backup"), QString::fromUtf8(e.what()));
        return false;
    }
}

} // namespace

bool openProject(QWidget *parent, StudioSession *session, const QString &path, bool create,
                 bool quiet, QString *error)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    std::string holder;
    std::unique_ptr<ft::ProjectLock> lock = ft::ProjectLock::acquire(nativePath(absolute), holder);
    const bool thisProcess =
        QString::fromStdString(holder).startsWith(QStringLiteral("process %1 ").arg(QCoreApplication::applicationPid()));
    if (!lock && !thisProcess) {
        const QString message = QObject::tr("%1 is already open in another FineTune Studio (%2). Close it there "
                                            "first: two studios writing one project would lose work.")
                                    .arg(QFileInfo(absolute).fileName(), QString::fromStdString(holder));
        if (error)
            *error = message;
        if (!quiet)
            QMessageBox::warning(parent, QObject::tr("The project is open elsewhere"), message);
        return false;
    }
    for (int attempt = 0;; ++attempt) {
        try {
            // Opening creates (when allowed) and migrates the schema; the pages open their own.
            ft::ProjectStore store(nativePath(absolute), !create);
            (void)store.datasets(); // reads the tables: a damaged file fails here, not in a page
            break;
        } catch (const std::exception &e) {
            const QString message = QString::fromUtf8(e.what());
            if (!quiet && attempt == 0 && offerBackup(parent, absolute, message))
                continue;
            if (error)
                *error = message;
            if (!quiet)
                QMessageBox::warning(parent, QObject::tr("Cannot open the project"),
                                     QObject::tr("%1\n\nA project is a .ftproj file made by "
                                                 "FineTune Studio or finetune-cli.")
                                         .arg(message));
            return false;
        }
    }
    session->setProjectPath(absolute);
    if (lock)
        session->setProjectLock(std::move(lock));
    refreshBackupLater(absolute);
    return true;
}

bool chooseNewProject(QWidget *parent, StudioSession *session)
{
    QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("New Project"),
        settings::projectStartFolder() + QStringLiteral("/untitled.ftproj"),
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
        parent, QObject::tr("Open Project"), settings::projectStartFolder(),
        QObject::tr("FineTune projects (*.ftproj);;All files (*)"));
    return !path.isEmpty() && openProject(parent, session, path, false);
}

} // namespace ftui
