// The current studio session: what the pages share (the opened base model and the project). Pages read
// it and listen to its signals; they never keep their own copy of the model.
// Also the open project's path.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace ft {
class Model;
}

namespace ftui {

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

    // The open project (*.ftproj, an ft::ProjectStore file); empty when none. Each page opens
    // its own ProjectStore connection on it (one per thread); every change commits at once.
    QString projectPath() const { return m_projectPath; }
    bool hasProject() const { return !m_projectPath.isEmpty(); }
    void setProjectPath(const QString &path);

Q_SIGNALS:
    void modelChanged();
    void projectChanged();

private:
    QString m_projectPath;
    std::shared_ptr<ft::Model> m_model;
    QString m_modelPath;
};

} // namespace ftui
