// What the studio shows when no model is open (issue 15): the workflow in three lines, the
// bundled model one click away, the demo project, the usual ways in (open a model, import data)
// and the recent projects. It only asks; MainWindow and the Model page do the opening.
#pragma once

#include <QStringList>
#include <QWidget>

class QPushButton;
class QVBoxLayout;

namespace ftui {

class WelcomeView : public QWidget
{
    Q_OBJECT

public:
    // bundledModel: the model found beside the program (empty: none, the button says so);
    // demoAvailable: the demo data is installed.
    WelcomeView(const QString &bundledModel, bool demoAvailable, QWidget *parent = nullptr);

    // The recent projects, newest first (the first few are shown).
    void setRecentProjects(const QStringList &paths);
    QString bundledModel() const { return m_bundledModel; }

Q_SIGNALS:
    void openModelRequested(const QString &path);
    void openModelFolderRequested();
    void openGgufRequested();
    void importDataRequested();
    void openDemoRequested();
    void openProjectRequested(const QString &path);

private:
    QWidget *createWorkflow();
    QWidget *createActions(bool demoAvailable);

    QString m_bundledModel;
    QVBoxLayout *m_recentList = nullptr;
    QWidget *m_recentBox = nullptr;
};

} // namespace ftui
