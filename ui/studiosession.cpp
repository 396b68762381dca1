#include "studiosession.h"

#include <ft/projectsafety.h>

#include "projectruns.h"
#include "trainingsetup.h"

#include <ft/model.h>

namespace ftui {

StudioSession::StudioSession(QObject *parent)
    : QObject(parent), m_trainingSetup(new TrainingSetup(this)), m_runs(new ProjectRuns(this))
{
}

StudioSession::~StudioSession() = default;

void StudioSession::setModel(std::shared_ptr<ft::Model> model, const QString &path)
{
    m_model = std::move(model);
    m_modelPath = m_model ? path : QString();
    Q_EMIT modelChanged();
}

void StudioSession::clearModel()
{
    if (!m_model)
        return;
    setModel(nullptr, QString());
}

void StudioSession::setProjectPath(const QString &path)
{
    if (path == m_projectPath)
        return;
    m_projectPath = path;
    m_runs->setProject(path);  // before the pages hear of the project: its runs are there
    Q_EMIT projectChanged();
}

void StudioSession::setProjectLock(std::unique_ptr<ft::ProjectLock> lock)
{
    m_projectLock = std::move(lock);
}

} // namespace ftui
