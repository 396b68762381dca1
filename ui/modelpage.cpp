#include "modelpage.h"

#include "displayformat.h"
#include "elidedlabel.h"
#include "memoryestimatecard.h"
#include "modelloader.h"
#include "modelsummaryview.h"
#include "trypanel.h"
#include "studiosession.h"
#include "studiosettings.h"
#include "theme.h"
#include "trainingsetup.h"
#include "welcomeview.h"

#include <ft/demoproject.h>
#include <ft/model.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace ftui {

namespace {

const char kLastDirectoryKey[] = "modelPage/lastDirectory";
constexpr int kPageMargin = 32;

} // namespace

ModelPage::ModelPage(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_loader(new ModelLoader(this))
{
    connect(m_loader, &ModelLoader::started, this, &ModelPage::onStarted);
    connect(m_loader, &ModelLoader::progressChanged, this, &ModelPage::onProgress);
    connect(m_loader, &ModelLoader::loaded, this, &ModelPage::onLoaded);
    connect(m_loader, &ModelLoader::failed, this, &ModelPage::onFailed);
    connect(m_loader, &ModelLoader::cancelled, this, &ModelPage::onCancelled);
    connect(m_session, &StudioSession::modelChanged, this, &ModelPage::showModel);

    m_summary = new ModelSummaryView;
    auto *summaryPage = new QWidget;
    auto *summaryLayout = new QVBoxLayout(summaryPage);
    summaryLayout->setContentsMargins(kPageMargin, 8, kPageMargin, kPageMargin);
    summaryLayout->addWidget(m_summary);
    m_tryPanel = new TryPanel(m_session);
    summaryLayout->addSpacing(16);
    summaryLayout->addWidget(m_tryPanel);
    // Below the Try panel: the estimate matters when choosing how to train, after a first look.
    m_memory = new MemoryEstimateCard(tr("Memory to fine-tune"));
    m_memory->setStrategies(MemoryEstimateCard::standardStrategies());
    connect(m_session->trainingSetup(), &TrainingSetup::changed, this, &ModelPage::updateMemory);
    summaryLayout->addSpacing(16);
    summaryLayout->addWidget(m_memory);
    m_summaryScroll = new QScrollArea;
    m_summaryScroll->setWidget(summaryPage);
    m_summaryScroll->setWidgetResizable(true);
    m_summaryScroll->setFrameShape(QFrame::NoFrame);

    m_emptyState = createEmptyState();
    m_body = new QStackedWidget;
    m_body->addWidget(m_emptyState);
    m_body->addWidget(m_summaryScroll);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(createHeader());
    layout->addWidget(createProgressRow());
    layout->addWidget(m_body, 1);
    showModel();
}

ModelPage::~ModelPage() = default;

QString ModelPage::openHint()
{
    return tr("Pick a Hugging Face folder with config.json and *.safetensors, or a .gguf file.");
}

QWidget *ModelPage::createHeader()
{
    // A long model name is elided (whole in the tooltip) rather than widening the window; the
    // path below wraps and stays selectable.
    m_title = new ElidedLabel;
    m_title->setObjectName(QStringLiteral("modelTitle"));
    theme::makeHeading(m_title, 1.7);
    m_path = new QLabel;
    m_path->setObjectName(QStringLiteral("modelPath"));
    m_path->setTextFormat(Qt::PlainText);
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_path->setWordWrap(true);
    theme::makeSecondary(m_path);

    auto *openButton = new QPushButton(tr("Open…"));
    openButton->setObjectName(QStringLiteral("openButton"));
    auto *menu = new QMenu(openButton);
    menu->addAction(tr("Model Folder…"), this, &ModelPage::chooseModelFolder);
    menu->addAction(tr("GGUF File…"), this, &ModelPage::chooseGgufFile);
    openButton->setMenu(menu);

    auto *titles = new QVBoxLayout;
    titles->setSpacing(4);
    titles->addWidget(m_title);
    titles->addWidget(m_path);

    auto *header = new QWidget;
    auto *layout = new QHBoxLayout(header);
    layout->setContentsMargins(kPageMargin, 24, kPageMargin, 16);
    layout->setSpacing(16);
    layout->addLayout(titles, 1);
    layout->addWidget(openButton, 0, Qt::AlignTop);
    return header;
}

QWidget *ModelPage::createProgressRow()
{
    m_progressText = new QLabel;
    m_progressText->setTextFormat(Qt::PlainText);
    m_progressBar = new QProgressBar;
    m_progressBar->setRange(0, 1000);
    m_progressBar->setTextVisible(false);
    m_progressBar->setMaximumHeight(8);
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    connect(m_cancelButton, &QPushButton::clicked, this, &ModelPage::cancelLoading);

    m_progressRow = new QWidget;
    auto *layout = new QHBoxLayout(m_progressRow);
    layout->setContentsMargins(kPageMargin, 0, kPageMargin, 16);
    layout->setSpacing(16);
    layout->addWidget(m_progressText);
    layout->addWidget(m_progressBar, 1);
    layout->addWidget(m_cancelButton);
    m_progressRow->hide();
    return m_progressRow;
}

// Nothing open: the welcome (the Model page is where the studio starts).
QWidget *ModelPage::createEmptyState()
{
    const QString programDir = QCoreApplication::applicationDirPath();
    const auto bundled = ft::findBundledModel(programDir.toStdString());
    m_welcome = new WelcomeView(bundled ? QString::fromStdString(bundled->string()) : QString(),
                                ft::findDemoData(programDir.toStdString()).has_value());
    connect(m_welcome, &WelcomeView::openModelRequested, this, &ModelPage::openModel);
    connect(m_welcome, &WelcomeView::openModelFolderRequested, this, &ModelPage::chooseModelFolder);
    connect(m_welcome, &WelcomeView::openGgufRequested, this, &ModelPage::chooseGgufFile);
    auto *scroll = new QScrollArea;
    scroll->setWidget(m_welcome);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    return scroll;
}

void ModelPage::openModel(const QString &path)
{
    if (path.trimmed().isEmpty()) {
        reportError(path, tr("No model path given."));
        return;
    }
    if (!QFileInfo::exists(path)) {
        reportError(path, tr("%1: no such file or folder").arg(QDir::toNativeSeparators(path)));
        return;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    rememberDirectory(absolute);
    m_loader->load(absolute);
}

void ModelPage::chooseModelFolder()
{
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), startDirectory());
    if (!dir.isEmpty())
        openModel(dir);
}

void ModelPage::chooseGgufFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Open GGUF File"), startDirectory(),
                                                      tr("GGUF models (*.gguf);;All files (*)"));
    if (!file.isEmpty())
        openModel(file);
}

void ModelPage::cancelLoading()
{
    if (!m_loader->isLoading())
        return;
    m_loader->cancel();
    m_progressText->setText(tr("Cancelling…"));
    m_cancelButton->setEnabled(false);
}

bool ModelPage::isLoading() const
{
    return m_loader->isLoading();
}

void ModelPage::showModel()
{
    const std::shared_ptr<ft::Model> model = m_session->model();
    if (!model) {
        m_title->setText(tr("Model"));
        m_path->setText(tr("No model open"));
        m_body->setCurrentWidget(m_emptyState);
        return;
    }
    const QString path = m_session->modelPath();
    m_title->setText(format::modelName(path));
    m_path->setText(QDir::toNativeSeparators(path));
    m_summary->setModel(*model);
    updateMemory();
    m_body->setCurrentWidget(m_summaryScroll);
}

void ModelPage::updateMemory()
{
    const ft::TrainingConfig &settings = m_session->trainingSetup()->settings();
    m_memory->setBatchAndCutoff(settings.perDeviceTrainBatchSize, int(settings.cutoffLen));
    if (const auto model = m_session->model())
        m_memory->setModelInfo(model->info());
    else
        m_memory->clearModel();
}

void ModelPage::reportError(const QString &path, const QString &message)
{
    Q_EMIT errorOccurred(message);
    if (m_errorDisplay != ErrorDisplay::Dialog)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot Open Model"),
                                tr("Could not open “%1”.").arg(format::modelName(path)),
                                QMessageBox::Ok, this);
    box->setInformativeText(message + QStringLiteral("\n\n") + openHint());
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void ModelPage::onStarted(const QString &path)
{
    m_progressText->setText(tr("Loading %1…").arg(format::modelName(path)));
    m_progressBar->setValue(0);
    m_cancelButton->setEnabled(true);
    m_progressRow->show();
    Q_EMIT loadingChanged(true);
}

void ModelPage::onProgress(double fraction)
{
    m_progressBar->setValue(qRound(fraction * m_progressBar->maximum()));
}

void ModelPage::onLoaded(const std::shared_ptr<ft::Model> &model, const QString &path)
{
    finishLoading();
    m_session->setModel(model, path);
}

void ModelPage::onFailed(const QString &path, const QString &message)
{
    finishLoading();
    reportError(path, message);
}

void ModelPage::onCancelled()
{
    finishLoading();
}

void ModelPage::finishLoading()
{
    m_progressRow->hide();
    Q_EMIT loadingChanged(false);
}

QString ModelPage::startDirectory() const
{
    return settings::modelStartFolder(QSettings().value(QLatin1String(kLastDirectoryKey)).toString());
}

void ModelPage::rememberDirectory(const QString &path)
{
    const QFileInfo info(path);
    const QString parent = info.absoluteDir().absolutePath();
    QSettings().setValue(QLatin1String(kLastDirectoryKey), parent);
}

} // namespace ftui
