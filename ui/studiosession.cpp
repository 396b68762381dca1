#include "studiosession.h"

#include "trainingsetup.h"

#include <ft/model.h>

namespace ftui {

StudioSession::StudioSession(QObject *parent)
    : QObject(parent), m_trainingSetup(new TrainingSetup(this))
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

} // namespace ftui
