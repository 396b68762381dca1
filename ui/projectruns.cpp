#include "projectruns.h"

#include <ft/project.h>

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <exception>

namespace ftui {

ProjectRuns::ProjectRuns(QObject *parent) : QObject(parent) {}

ProjectRuns::~ProjectRuns() = default;

void ProjectRuns::setProject(const QString &projectPath)
{
    m_store.reset();
    m_runs.clear();
    if (!projectPath.isEmpty()) {
        try {
            m_store = std::make_unique<ft::ProjectStore>(projectPath.toStdString(), /*mustExist=*/true);
            // A crashed run's record stops where the window last wrote it; its folder knows the
            // checkpoints written since.
            for (const int64_t id : ft::markCrashedRuns(*m_store)) {
                std::optional<ft::RunRecord> run = ft::findRun(*m_store, id);
                const int64_t onDisk = lastCheckpointStep(QString::fromStdString(run->folder));
                if (onDisk > run->lastCheckpointStep) {
                    run->lastCheckpointStep = onDisk;
                    run->steps = std::max(run->steps, onDisk);
                    ft::updateRun(*m_store, *run);
                }
            }
        } catch (const std::exception &e) {
            m_store.reset();
            Q_EMIT errorOccurred(QString::fromStdString(e.what()));
        }
    }
    reload();
}

void ProjectRuns::reload()
{
    if (m_store) {
        try {
            m_runs = ft::listRuns(*m_store);
        } catch (const std::exception &e) {
            Q_EMIT errorOccurred(QString::fromStdString(e.what()));
        }
    }
    Q_EMIT changed();
}

std::optional<ft::RunRecord> ProjectRuns::run(int64_t id) const
{
    for (const ft::RunRecord &r : m_runs)
        if (r.id == id)
            return r;
    return std::nullopt;
}

int64_t ProjectRuns::add(ft::RunRecord &run)
{
    if (m_store) {
        try {
            ft::addRun(*m_store, run);
        } catch (const std::exception &e) {
            Q_EMIT errorOccurred(QString::fromStdString(e.what()));
            run.id = -m_nextSessionId++;  // still shown for this session
            m_runs.insert(m_runs.begin(), run);
            Q_EMIT changed();
            return run.id;
        }
        reload();
        return run.id;
    }
    run.id = m_nextSessionId++;
    m_runs.insert(m_runs.begin(), run);
    Q_EMIT changed();
    return run.id;
}

void ProjectRuns::update(ft::RunRecord &run)
{
    if (m_store && run.id > 0) {
        try {
            ft::updateRun(*m_store, run);
            reload();
            return;
        } catch (const std::exception &e) {
            Q_EMIT errorOccurred(QString::fromStdString(e.what()));
        }
    }
    for (ft::RunRecord &r : m_runs)
        if (r.id == run.id)
            r = run;
    Q_EMIT changed();
}

void ProjectRuns::rename(int64_t id, const QString &name)
{
    std::optional<ft::RunRecord> r = run(id);
    if (!r || name.trimmed().isEmpty())
        return;
    r->name = name.trimmed().toStdString();
    update(*r);
}

void ProjectRuns::setNotes(int64_t id, const QString &notes)
{
    std::optional<ft::RunRecord> r = run(id);
    if (!r)
        return;
    r->notes = notes.toStdString();
    update(*r);
}

bool ProjectRuns::remove(int64_t id, bool removeFolder, QString *error)
{
    const std::optional<ft::RunRecord> r = run(id);
    if (!r)
        return false;
    if (removeFolder && !r->folder.empty()) {
        QDir folder(QString::fromStdString(r->folder));
        if (folder.exists() && !folder.removeRecursively()) {
            if (error)
                *error = tr("Cannot delete %1").arg(QDir::toNativeSeparators(folder.path()));
            return false;
        }
    }
    if (m_store && id > 0) {
        try {
            ft::removeRun(*m_store, id);
        } catch (const std::exception &e) {
            if (error)
                *error = QString::fromStdString(e.what());
            return false;
        }
        reload();
        return true;
    }
    m_runs.erase(std::remove_if(m_runs.begin(), m_runs.end(),
                                [id](const ft::RunRecord &x) { return x.id == id; }),
                 m_runs.end());
    Q_EMIT changed();
    return true;
}

QString ProjectRuns::tunedFolder(const ft::RunRecord &run)
{
    const QDir dir(QString::fromStdString(run.folder));
    if (run.status == ft::RunStatus::Finished && QFileInfo::exists(dir.filePath(QStringLiteral("final"))))
        return dir.filePath(QStringLiteral("final"));
    if (run.lastCheckpointStep > 0) {
        const QString checkpoint = dir.filePath(QStringLiteral("checkpoint-%1").arg(run.lastCheckpointStep));
        if (QFileInfo::exists(checkpoint))
            return checkpoint;
    }
    return QString();
}

int64_t ProjectRuns::lastCheckpointStep(const QString &runFolder)
{
    int64_t last = 0;
    const QStringList names = QDir(runFolder).entryList({QStringLiteral("checkpoint-*")}, QDir::Dirs);
    for (const QString &name : names) {
        bool ok = false;
        const qint64 step = name.mid(int(qstrlen("checkpoint-"))).toLongLong(&ok);
        if (ok)
            last = std::max<int64_t>(last, step);
    }
    return last;
}

QString ProjectRuns::statusText(const ft::RunRecord &run)
{
    switch (run.status) {
    case ft::RunStatus::Running:
        return tr("running");
    case ft::RunStatus::Finished:
        return tr("finished, %Ln step(s)", nullptr, int(run.steps));
    case ft::RunStatus::Failed:
        return tr("failed");
    case ft::RunStatus::Stopped:
        return run.resumable() ? tr("stopped at step %1 (resumable)").arg(run.steps)
                               : tr("stopped at step %1").arg(run.steps);
    case ft::RunStatus::Crashed:
        return run.resumable() ? tr("crashed (resumable from step %1)").arg(run.lastCheckpointStep)
                               : tr("crashed");
    }
    return QString();
}

std::optional<nlohmann::json> ProjectRuns::setting(const QString &key) const
{
    if (!m_store)
        return std::nullopt;
    try {
        return ft::projectSetting(*m_store, key.toStdString());
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

void ProjectRuns::setSetting(const QString &key, const nlohmann::json &value)
{
    if (!m_store)
        return;
    try {
        ft::setProjectSetting(*m_store, key.toStdString(), value);
    } catch (const std::exception &e) {
        Q_EMIT errorOccurred(QString::fromStdString(e.what()));
    }
}

} // namespace ftui
