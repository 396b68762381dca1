// The current studio session: what the pages share (the opened base model, the open project and
// the next run's training setup). Pages read it and listen to its signals; they never keep their
// own copy of the model.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace ft {
class Model;
class ProjectLock;
}

namespace ftui {

class ProjectRuns;
class TrainingSetup;

class StudioSession : public QObject
{
    Q_OBJECT

public:
    explicit StudioSession(QObject *parent = nullptr);
    ~StudioSession() override;

    // Null when no model is open. The model is immutable, so sharing it is safe.
    std::shared_ptr<ft::Model> model() const { return m_model; }
    QString modelPath() const { return m_modelPath; }
    bool hasModel() const { return m_model != nullptr; }

    void setModel(std::shared_ptr<ft::Model> model, const QString &path);
    void clearModel();

    // The next training run's settings; pages write to it, the Train page runs it.
    TrainingSetup *trainingSetup() const { return m_trainingSetup; }
    // The runs every page shares, from the open project (or this session's when none).
    ProjectRuns *runs() const { return m_runs; }

    // The open project (*.ftproj, an ft::ProjectStore file); empty when none. Each page opens
    // its own ProjectStore connection on it (one per thread); every change commits at once.
    QString projectPath() const { return m_projectPath; }
    bool hasProject() const { return !m_projectPath.isEmpty(); }
    void setProjectPath(const QString &path);
    // Held while the project is open, so that a second studio is told (ft/projectsafety.h).
    void setProjectLock(std::unique_ptr<ft::ProjectLock> lock);

Q_SIGNALS:
    void modelChanged();
    void projectChanged();

private:
    QString m_projectPath;
    std::shared_ptr<ft::Model> m_model;
    QString m_modelPath;
    TrainingSetup *m_trainingSetup = nullptr;
    ProjectRuns *m_runs = nullptr;
    std::unique_ptr<ft::ProjectLock> m_projectLock;
};

} // namespace ftui
