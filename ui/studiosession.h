// The current studio session: what the pages share (the opened base model, the next run's
// training setup). Pages read it and listen to its signals; they never keep their own copy of
// the model.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace ft {
class Model;
}

namespace ftui {

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

Q_SIGNALS:
    void modelChanged();

private:
    std::shared_ptr<ft::Model> m_model;
    QString m_modelPath;
    TrainingSetup *m_trainingSetup = nullptr;
};

} // namespace ftui
