// The studio's window: a sidebar of pages in workflow order, the pages, the File menu, the
// status bar. It composes; the pages do the work.
#pragma once

#include <QMainWindow>

class QLabel;
class QStackedWidget;

namespace ftui {

class ComparePage;
class DataPage;
class ModelPage;
class PageSidebar;
class ProjectSettingsSync;
class RecentModelsMenu;
class RecentProjectsMenu;
class StrategyPage;
class StudioSession;
class TrainPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // In workflow order; the sidebar row and the page index.
    enum class Page { Data, Model, Strategy, Train, Compare, Evaluate, Export };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    StudioSession *session() const { return m_session; }
    ModelPage *modelPage() const { return m_modelPage; }
    TrainPage *trainPage() const { return m_trainPage; }
    DataPage *dataPage() const { return m_dataPage; }
    StrategyPage *strategyPage() const { return m_strategyPage; }
    ComparePage *comparePage() const { return m_comparePage; }

    // Shows the Model page and starts loading `path`.
    void openModel(const QString &path);
    void showPage(Page page);
    Page currentPage() const;
    // "data", "model", ... (the sidebar names in lower case); false if unknown or unavailable.
    bool showPageNamed(const QString &name);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createPages();
    void addPage(Page page, const QString &name, QWidget *widget, bool available,
                 const QString &toolTip);
    void restartStudio();
    void connectWelcome();
    void createMenus();
    void createStatusBar();
    void onModelChanged();
    void onProjectChanged();
    void updateTitle();
    void restoreSettings();
    void clampToScreen();
    void saveSettings() const;
    void showAbout();
    void refreshCompareRuns();

    StudioSession *m_session = nullptr;
    ProjectSettingsSync *m_projectSettings = nullptr;
    PageSidebar *m_sidebar = nullptr;
    QStackedWidget *m_pages = nullptr;
    ModelPage *m_modelPage = nullptr;
    TrainPage *m_trainPage = nullptr;
    StrategyPage *m_strategyPage = nullptr;
    ComparePage *m_comparePage = nullptr;
    bool m_closeWhenStopped = false;  // the user chose to close while training
    DataPage *m_dataPage = nullptr;
    RecentProjectsMenu *m_recentProjects = nullptr;
    QLabel *m_projectStatus = nullptr;
    RecentModelsMenu *m_recentMenu = nullptr;
    QLabel *m_modelStatus = nullptr;
};

} // namespace ftui
