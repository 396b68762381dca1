#include "demoprojectaction.h"

#include "projectactions.h"

#include <ft/demoproject.h>

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QStandardPaths>

#include <exception>

namespace ftui {

QString demoProjectPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("demo/Veltra support demo.ftproj"));
}

bool openDemoProject(QWidget *parent, StudioSession *session, bool quiet, QString *error)
{
    const QString path = demoProjectPath();
    if (!QFileInfo::exists(path)) {
        const std::string programDir = QCoreApplication::applicationDirPath().toStdString();
        QString message;
        const auto data = ft::findDemoData(programDir);
        if (!data) {
            message = QObject::tr("The demo data (veltra_support.jsonl) is not installed.");
        } else {
            ft::DemoProjectOptions options;
            options.project = path.toStdString();
            options.data = *data;
            if (const auto model = ft::findBundledModel(programDir))
                options.model = *model;
            QDir().mkpath(QFileInfo(path).absolutePath());
            // A few hundred rows: imported, reviewed and split in well under a second.
            QApplication::setOverrideCursor(Qt::WaitCursor);
            try {
                ft::createDemoProject(options);
            } catch (const std::exception &e) {
                message = QString::fromUtf8(e.what());
            }
            QApplication::restoreOverrideCursor();
        }
        if (!message.isEmpty()) {
            if (error)
                *error = message;
            if (!quiet)
                QMessageBox::warning(parent, QObject::tr("Cannot create the demo project"), message);
            return false;
        }
    }
    return openProject(parent, session, path, false, quiet, error);
}

} // namespace ftui
