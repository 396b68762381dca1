// Keeps what a person set up for a project in the project itself (ft/runstore.h's settings):
// the Train page's settings and dataset, and the last model opened. Reopening the project
// brings them back: the settings at once, the model through modelRequested (the window opens it
// in the background, ModelLoader).
#pragma once

#include <ft/runstore.h>

#include <QObject>
#include <QString>

namespace ftui {

class StudioSession;

class ProjectSettingsSync : public QObject
{
    Q_OBJECT

public:
    explicit ProjectSettingsSync(StudioSession *session, QObject *parent = nullptr);

    static constexpr const char *kTrainSettingsKey = ft::kTrainSettingsKey;
    static constexpr const char *kLastModelKey = ft::kLastModelKey;

Q_SIGNALS:
    // The project's last model, to be opened (it exists and is not the open one).
    void modelRequested(const QString &path);

private:
    void onProjectChanged();
    void onModelChanged();
    void saveTrainSettings();

    StudioSession *m_session = nullptr;
    bool m_restoring = false;
};

} // namespace ftui
