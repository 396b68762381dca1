#include "projectsettingssync.h"

#include "projectruns.h"
#include "studiosession.h"
#include "trainingsetup.h"

#include <ft/model.h>
#include <ft/modelinfo.h>
#include <ft/project.h>

#include <QFileInfo>

namespace ftui {

ProjectSettingsSync::ProjectSettingsSync(StudioSession *session, QObject *parent)
    : QObject(parent), m_session(session)
{
    connect(m_session, &StudioSession::projectChanged, this, &ProjectSettingsSync::onProjectChanged);
    connect(m_session, &StudioSession::modelChanged, this, &ProjectSettingsSync::onModelChanged);
    connect(m_session->trainingSetup(), &TrainingSetup::changed, this,
            &ProjectSettingsSync::saveTrainSettings);
}

void ProjectSettingsSync::onProjectChanged()
{
    ProjectRuns *runs = m_session->runs();
    TrainingSetup *setup = m_session->trainingSetup();
    m_restoring = true;
    const auto saved = runs->setting(QLatin1String(kTrainSettingsKey));
    if (!saved || !setup->restoreSaved(*saved)) {
        // Nothing saved yet: the current settings stay, but not another project's dataset.
        const auto spec = ft::parseProjectDataset(setup->dataPath().toStdString());
        if (spec && QFileInfo(QString::fromStdString(spec->first.string())).absoluteFilePath() !=
                        QFileInfo(m_session->projectPath()).absoluteFilePath())
            setup->setDataPath(QString());
    }
    m_restoring = false;
    saveTrainSettings();
    const auto model = runs->setting(QLatin1String(kLastModelKey));
    if (model && model->is_string()) {
        const QString path = QString::fromStdString(model->get<std::string>());
        if (!path.isEmpty() && QFileInfo::exists(path) && path != m_session->modelPath())
            Q_EMIT modelRequested(path);
    }
}

void ProjectSettingsSync::onModelChanged()
{
    const auto model = m_session->model();
    if (!model)
        return;
    // The template the Data page renders rows with: the model's own when it has one.
    m_session->trainingSetup()->applyModelTemplate(model->info().hasChatTemplate);
    m_session->runs()->setSetting(QLatin1String(kLastModelKey), m_session->modelPath().toStdString());
}

void ProjectSettingsSync::saveTrainSettings()
{
    if (m_restoring || !m_session->runs()->hasProject())
        return;
    m_session->runs()->setSetting(QLatin1String(kTrainSettingsKey),
                                  m_session->trainingSetup()->toSaved());
}

} // namespace ftui
