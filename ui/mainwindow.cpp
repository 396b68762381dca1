#include "mainwindow.h"

#include "comparepage.h"
#include "evaluatepage.h"
#include "datapage.h"
#include "datasetdrop.h"
#include "datasetpicker.h"
#include "displayformat.h"
#include "elidedlabel.h"
#include "exportpage.h"
#include "languagemenu.h"
#include "modeldrop.h"
#include "modelpage.h"
#include "pagesidebar.h"
#include "projectactions.h"
#include "projectruns.h"
#include "projectsettingssync.h"
#include "recentmodelsmenu.h"
#include "recentprojectsmenu.h"
#include "settingsdialog.h"
#include "demoprojectaction.h"
#include "helpdialogs.h"
#include "welcomeview.h"
#include "wheelguard.h"
#include "strategypage.h"
#include "studiosession.h"
#include "trainingworker.h"
#include "trainpage.h"

#include <ft/model.h>
#include <ft/runtime.h>

#include <QFileDialog>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProcess>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>

namespace ftui {

namespace {

const char kGeometryKey[] = "mainWindow/geometry";
const char kStateKey[] = "mainWindow/state";
const char kPageKey[] = "mainWindow/page";
// The pages' names in any language: object names ("dataPage") and --page arguments.
const char *const kPageIds[] = {"data", "model", "strategy", "train", "compare", "evaluate", "export"};

int indexOf(MainWindow::Page page)
{
    return static_cast<int>(page);
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_session(new StudioSession(this)),
      m_projectSettings(new ProjectSettingsSync(m_session, this))
{
    // Before the pages exist, so that their fields are polished with the guard in place.
    installWheelGuard();
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    connect(m_session, &StudioSession::modelChanged, this, &MainWindow::onModelChanged);
    connect(m_session, &StudioSession::projectChanged, this, &MainWindow::onProjectChanged);

    m_sidebar = new PageSidebar;
    m_pages = new QStackedWidget;
    m_pages->setObjectName(QStringLiteral("pages"));
    createPages();
    connect(m_sidebar, &PageSidebar::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget;
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sidebar);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    // The project's last model opens in the background, the current page stays.
    connect(m_projectSettings, &ProjectSettingsSync::modelRequested, m_modelPage,
            &ModelPage::openModel);
    createMenus();
    connectWelcome();
    createStatusBar();
    restoreSettings();
    onModelChanged();
    onProjectChanged();
}

MainWindow::~MainWindow() = default;

void MainWindow::createPages()
{
    m_dataPage = new DataPage(m_session);
    addPage(Page::Data, tr("Data"), m_dataPage, true,
            tr("Import, review and split datasets (Ctrl+1)"));
    m_modelPage = new ModelPage(m_session);
    addPage(Page::Model, tr("Model"), m_modelPage, true,
            tr("Open a Hugging Face folder or a GGUF file"));
    m_strategyPage = new StrategyPage(m_session);
    addPage(Page::Strategy, tr("Strategy"), m_strategyPage, true,
            tr("Choose how to fine-tune on a map of the model's layers"));
    m_trainPage = new TrainPage(m_session);
    addPage(Page::Train, tr("Train"), m_trainPage, true,
            tr("Train on a background thread and watch the curves"));
    m_comparePage = new ComparePage(m_session);
    addPage(Page::Compare, tr("Compare"), m_comparePage, true,
            tr("Base and tuned answers side by side, with blind rating"));
    // A split made on the Data page offers its validation rows on Compare.
    connect(m_dataPage, &DataPage::datasetsChanged, m_comparePage,
            &ComparePage::refreshValidationRows);
    // Votes made into a preference dataset appear on the Data page (and in Train's picker).
    connect(m_comparePage, &ComparePage::preferenceDatasetCreated, m_dataPage, &DataPage::showAddedDataset);
    // One run list: Compare offers the project's runs that have weights to load.
    connect(m_session->runs(), &ProjectRuns::changed, this, &MainWindow::refreshCompareRuns);
    refreshCompareRuns();
    // Train's "Import a file first…" and the picker's list after an import or a split.
    connect(m_trainPage, &TrainPage::importRequested, this, [this] {
        showPage(Page::Data);
        QMetaObject::invokeMethod(m_dataPage, [this] { m_dataPage->chooseImport(); },
                                  Qt::QueuedConnection);
    });
    connect(m_dataPage, &DataPage::datasetsChanged, m_trainPage->datasetPicker(),
            &DatasetPicker::refresh);
    addPage(Page::Evaluate, tr("Evaluate"), new EvaluatePage(m_session), true,
            tr("Benchmarks and domain tests, base against tuned, and the report"));
    addPage(Page::Export, tr("Export"), new ExportPage(m_session->runs()), true,
            tr("Write a run as a PEFT adapter, merged model, GGUF or Ollama bundle"));
}

void MainWindow::addPage(Page page, const QString &name, QWidget *widget, bool available,
                         const QString &toolTip)
{
    static const PageIcon icons[] = {PageIcon::Data,  PageIcon::Model,   PageIcon::Strategy,
                                     PageIcon::Train, PageIcon::Compare, PageIcon::Evaluate,
                                     PageIcon::Export};
    Q_ASSERT(m_pages->count() == indexOf(page));
    widget->setObjectName(QLatin1String(kPageIds[indexOf(page)]) + QStringLiteral("Page"));
    m_pages->addWidget(widget);
    m_sidebar->addPage(icons[indexOf(page)], name, available, toolTip);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newProject = file->addAction(tr("&New Project…"), this,
                                          [this] { chooseNewProject(this, m_session); });
    newProject->setShortcut(QKeySequence::New);
    QAction *openProjectAction = file->addAction(tr("Open &Project…"), this,
                                                 [this] { chooseOpenProject(this, m_session); });
    openProjectAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+P")));
    m_recentProjects = new RecentProjectsMenu(this);
    connect(m_recentProjects, &RecentProjectsMenu::openRequested, this,
            [this](const QString &path) { openProject(this, m_session, path, false); });
    file->addMenu(m_recentProjects);
    file->addAction(tr("Open the &Demo Project"), this, [this] { openDemoProject(this, m_session); });
    file->addAction(tr("&Import Dataset…"), this, [this] {
        showPage(Page::Data);
        m_dataPage->chooseImport();
    });
    file->addAction(tr("Import a Folder of &Documents…"), this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Import a Folder of Documents"));
        if (folder.isEmpty())
            return;
        showPage(Page::Data);
        m_dataPage->chooseImport({folder});
    });
    file->addSeparator();
    QAction *openFolder = file->addAction(tr("&Open Model Folder…"), this, [this] {
        showPage(Page::Model);
        m_modelPage->chooseModelFolder();
    });
    openFolder->setShortcut(QKeySequence::Open);
    QAction *openGguf = file->addAction(tr("Open &GGUF File…"), this, [this] {
        showPage(Page::Model);
        m_modelPage->chooseGgufFile();
    });
    openGguf->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+O")));
    m_recentMenu = new RecentModelsMenu(this);
    connect(m_recentMenu, &RecentModelsMenu::openRequested, this, &MainWindow::openModel);
    file->addMenu(m_recentMenu);
    file->addSeparator();
    QAction *settingsAction = file->addAction(tr("&Settings…"), this, [this] {
        auto *dialog = new SettingsDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &SettingsDialog::restartRequested, this, &MainWindow::restartStudio);
        dialog->open();
    });
    settingsAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+,")));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence(QStringLiteral("Ctrl+Q")));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    for (int row = 0; row < m_sidebar->list()->count(); ++row) {
        QAction *action = go->addAction(m_sidebar->list()->item(row)->text(), this,
                                        [this, row] { showPage(static_cast<Page>(row)); });
        action->setShortcut(QKeySequence(QStringLiteral("Ctrl+%1").arg(row + 1)));
        action->setEnabled(m_sidebar->isAvailable(row));
    }

    QMenu *view = menuBar()->addMenu(tr("&View"));
    auto *languageMenu = new LanguageMenu(this);
    view->addMenu(languageMenu);
    connect(languageMenu, &LanguageMenu::restartRequested, this, &MainWindow::restartStudio);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *guide = help->addAction(tr("&User Guide"), this, [this] { showUserGuide(this); });
    guide->setShortcut(QKeySequence::HelpContents);
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"), this, [this] { showKeyboardShortcuts(this); });
    keys->setShortcut(QKeySequence(QStringLiteral("Ctrl+/")));
    help->addSeparator();
    help->addAction(tr("&About FineTune Studio"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar()
{
    // Elided labels: a long project or model name must not widen the window.
    m_modelStatus = new ElidedLabel;
    statusBar()->addWidget(m_modelStatus, 2);
    m_projectStatus = new ElidedLabel;
    m_projectStatus->setObjectName(QStringLiteral("projectStatus"));
    statusBar()->addPermanentWidget(m_projectStatus, 2);
    auto *runtime = new ElidedLabel(QString::fromStdString(ft::runtimeDescription()));
    runtime->setObjectName(QStringLiteral("runtimeStatus"));
    statusBar()->addPermanentWidget(runtime, 1);
}

void MainWindow::openModel(const QString &path)
{
    showPage(Page::Model);
    m_modelPage->openModel(path);
}

void MainWindow::showPage(Page page)
{
    if (m_sidebar->isAvailable(indexOf(page)))
        m_sidebar->setCurrentRow(indexOf(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return static_cast<Page>(m_pages->currentIndex());
}

bool MainWindow::showPageNamed(const QString &name)
{
    for (int row = 0; row < m_sidebar->list()->count(); ++row) {
        const QString text = m_sidebar->list()->item(row)->text();
        const bool named = name.compare(QLatin1String(kPageIds[row]), Qt::CaseInsensitive) == 0 ||
                           text.compare(name, Qt::CaseInsensitive) == 0;
        if (named && m_sidebar->isAvailable(row)) {
            showPage(static_cast<Page>(row));
            return true;
        }
    }
    return false;
}

void MainWindow::onModelChanged()
{
    const std::shared_ptr<ft::Model> model = m_session->model();
    updateTitle();
    if (!model) {
        m_modelStatus->setText(tr("No model open"));
        return;
    }
    const QString path = m_session->modelPath();
    const QString name = format::modelName(path);
    m_modelStatus->setText(
        tr("%1 · %2 parameters").arg(name, format::parameterCount(model->info().numParameters)));
    m_recentMenu->addPath(path);
}

void MainWindow::restartStudio()
{
    if (!close()) // a running job may keep the window open
        return;
    QProcess::startDetached(QCoreApplication::applicationFilePath(), QCoreApplication::arguments().mid(1));
    QCoreApplication::quit();
}

// The welcome (the Model page with nothing open) asks; the window opens.
void MainWindow::connectWelcome()
{
    WelcomeView *welcome = m_modelPage->welcomeView();
    connect(welcome, &WelcomeView::openDemoRequested, this, [this] { openDemoProject(this, m_session); });
    connect(welcome, &WelcomeView::openProjectRequested, this,
            [this](const QString &path) { openProject(this, m_session, path, false); });
    connect(welcome, &WelcomeView::importDataRequested, this, [this] {
        showPage(Page::Data);
        m_dataPage->chooseImport();
    });
    welcome->setRecentProjects(m_recentProjects->paths());
}

void MainWindow::onProjectChanged()
{
    updateTitle();
    if (!m_session->hasProject()) {
        m_projectStatus->setText(tr("No project"));
        return;
    }
    // The store commits every change as it is made: there is nothing to save.
    m_projectStatus->setText(tr("Project %1 · saved automatically")
                                 .arg(QFileInfo(m_session->projectPath()).fileName()));
    m_projectStatus->setToolTip(m_session->projectPath());
    m_recentProjects->addPath(m_session->projectPath());
    m_modelPage->welcomeView()->setRecentProjects(m_recentProjects->paths());
}

void MainWindow::updateTitle()
{
    QStringList parts;
    if (m_session->hasProject())
        parts << QFileInfo(m_session->projectPath()).completeBaseName();
    if (m_session->hasModel())
        parts << format::modelName(m_session->modelPath());
    setWindowTitle(parts.join(QStringLiteral(" — ")));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QLatin1String(kGeometryKey)).toByteArray())) {
        const QSize available = screen() ? screen()->availableSize() : QSize(1280, 800);
        resize(available.boundedTo(QSize(1280, 820)));
    }
    restoreState(settings.value(QLatin1String(kStateKey)).toByteArray());
    clampToScreen();
    // The last project comes back (quietly: it may have moved).
    const QStringList projects = m_recentProjects->paths();
    if (!projects.isEmpty() && QFileInfo::exists(projects.constFirst()))
        openProject(this, m_session, projects.constFirst(), false, true);
    const int row = settings.value(QLatin1String(kPageKey), indexOf(Page::Model)).toInt();
    m_sidebar->setCurrentRow(m_sidebar->isAvailable(row) ? row : indexOf(Page::Model));
}

void MainWindow::clampToScreen()
{
    // A geometry saved on a bigger screen (or by an older, wider window) must not come back
    // larger than this one, nor off it.
    if (!screen() || isMaximized() || isFullScreen())
        return;
    const QRect available = screen()->availableGeometry();
    const QSize size = this->size().boundedTo(available.size());
    if (size != this->size())
        resize(size);
    QRect frame = frameGeometry();
    frame.moveLeft(qBound(available.left(), frame.left(),
                          qMax(available.left(), available.right() - frame.width() + 1)));
    frame.moveTop(qBound(available.top(), frame.top(),
                         qMax(available.top(), available.bottom() - frame.height() + 1)));
    if (frame.topLeft() != frameGeometry().topLeft())
        move(frame.topLeft());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QLatin1String(kGeometryKey), saveGeometry());
    settings.setValue(QLatin1String(kStateKey), saveState());
    settings.setValue(QLatin1String(kPageKey), m_sidebar->currentRow());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_trainPage->isTraining()) {
        // Never kill a run mid-step: stop it (the trainer writes a checkpoint), close after.
        event->ignore();
        if (m_closeWhenStopped)
            return;
        const auto answer = QMessageBox::question(
            this, tr("Training Is Running"),
            tr("Stop training and close? The run stops after the current step and writes a "
               "checkpoint you can resume from."),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
        m_closeWhenStopped = true;
        connect(m_trainPage, &TrainPage::trainingFinished, this, &QWidget::close,
                Qt::QueuedConnection);
        m_trainPage->stop();
        statusBar()->showMessage(tr("Stopping training, then closing…"));
        return;
    }
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!modelPathFromMimeData(event->mimeData()).isEmpty() ||
        !datasetPathsFromMimeData(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QStringList datasets = datasetPathsFromMimeData(event->mimeData());
    if (!datasets.isEmpty()) {
        event->acceptProposedAction();
        showPage(Page::Data);
        // Queued: the wizard's event loop must not run inside the drop.
        QMetaObject::invokeMethod(
            m_dataPage, [this, datasets] { m_dataPage->chooseImport(datasets); }, Qt::QueuedConnection);
        return;
    }
    const QString path = modelPathFromMimeData(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openModel(path);
}

void MainWindow::refreshCompareRuns()
{
    QList<QPair<QString, QString>> offered;
    for (const ft::RunRecord &run : m_session->runs()->runs()) {
        const QString folder = ProjectRuns::tunedFolder(run);
        if (folder.isEmpty() || run.status == ft::RunStatus::Running)
            continue;
        const QString name = QString::fromStdString(run.name);
        // A stopped or crashed run is worth comparing too: its last checkpoint holds the weights.
        const QString label = run.status == ft::RunStatus::Finished
                                  ? name
                                  : tr("%1 (%2 at step %3)")
                                        .arg(name, run.status == ft::RunStatus::Crashed
                                                       ? tr("crashed")
                                                       : tr("stopped"))
                                        .arg(run.lastCheckpointStep);
        offered.append(qMakePair(label, folder));
    }
    m_comparePage->setRuns(offered);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About FineTune Studio"),
                       tr("<h3>FineTune Studio %1</h3>"
                          "<p>Fine-tune language models on your own workstation.</p>"
                          "<p>Engine: %2<br>Qt %3</p>")
                           .arg(QApplication::applicationVersion(),
                                QString::fromStdString(ft::runtimeDescription()).toHtmlEscaped(),
                                QLatin1String(qVersion())));
}

} // namespace ftui
