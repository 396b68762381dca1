#include "trainpage.h"

#include "charttoolbar.h"
#include "datasetpicker.h"
#include "displayformat.h"
#include "memoryestimatecard.h"
#include "projectruns.h"
#include "runcontrols.h"
#include "runhistory.h"
#include "steptimecard.h"
#include "studiosession.h"
#include "theme.h"
#include "trainingcharts.h"
#include "traininglog.h"
#include "trainingsettingsform.h"
#include "trainingsetup.h"

#include <ft/model.h>
#include <ft/runstore.h>

#include <QDateTime>
#include <QEvent>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <functional>
#include <optional>

namespace ftui {

namespace {

constexpr int kPageMargin = 24;
constexpr int kFormWidth = 440;
constexpr int kFormMinimumWidth = 280;
// Below this width of the form's viewport the hyper-parameters stack in one column.
constexpr int kTwoColumnFormWidth = 420;

// Calls back when the watched widget is resized.
class ResizeWatcher : public QObject
{
public:
    ResizeWatcher(QWidget *watched, std::function<void(int width)> onWidth)
        : QObject(watched), m_onWidth(std::move(onWidth))
    {
        watched->installEventFilter(this);
    }
    bool eventFilter(QObject *object, QEvent *event) override
    {
        if (event->type() == QEvent::Resize)
            m_onWidth(static_cast<QWidget *>(object)->width());
        return false;
    }

private:
    std::function<void(int)> m_onWidth;
};

} // namespace

TrainPage::TrainPage(StudioSession *session, QWidget *parent)
    : QWidget(parent),
      m_session(session),
      m_setup(session->trainingSetup()),
      m_worker(new TrainingWorker(this))
{
    m_runsRoot = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                     .filePath(QStringLiteral("runs"));

    auto *formScroll = new QScrollArea;
    formScroll->setWidget(createSettingsColumn());
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    // Narrow windows: the splitter gives the form less room and it scrolls sideways too.
    formScroll->setMinimumWidth(kFormMinimumWidth);
    new ResizeWatcher(formScroll->viewport(), [this](int width) {
        m_settings->setHyperColumns(width >= kTwoColumnFormWidth ? 2 : 1);
    });

    m_charts = new TrainingCharts;
    m_controls = new RunControls;
    connect(m_controls, &RunControls::startClicked, this, &TrainPage::start);
    connect(m_controls, &RunControls::pauseClicked, this, &TrainPage::pause);
    connect(m_controls, &RunControls::resumeClicked, this, &TrainPage::resume);
    connect(m_controls, &RunControls::stopClicked, this, &TrainPage::stop);
    m_chartToolbar = new ChartToolbar(m_charts);
    connect(m_chartToolbar, &ChartToolbar::exportFailed, this, [this](const QString &file) {
        reportError(tr("Export Failed"), tr("Cannot write %1").arg(file),
                    tr("Choose a folder you can write to."));
    });
    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(12, 0, 0, 0);
    rightLayout->setSpacing(10);
    rightLayout->addWidget(m_controls);
    rightLayout->addWidget(m_charts, 3);
    rightLayout->addWidget(m_chartToolbar);
    rightLayout->addWidget(createBottomTabs(), 1);

    auto *splitter = new QSplitter;
    splitter->setObjectName(QStringLiteral("trainSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(formScroll);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({kFormWidth + 24, 800});
    auto *body = new QHBoxLayout;
    body->setContentsMargins(kPageMargin, 0, kPageMargin, kPageMargin);
    body->setSpacing(0);
    body->addWidget(splitter, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(createHeader());
    layout->addLayout(body, 1);

    connect(m_worker, &TrainingWorker::pointsArrived, this, &TrainPage::onPoints);
    connect(m_worker, &TrainingWorker::logArrived, this, [this](const QStringList &lines) {
        for (const QString &line : lines) {
            m_log->appendLine(line);
            // "saved …/checkpoint-N": the project's record knows the run can resume from N.
            if (line.startsWith(QLatin1String("saved ")) && line.contains(QLatin1String("checkpoint-")))
                recordCheckpoint();
        }
    });
    connect(m_worker, &TrainingWorker::finished, this, &TrainPage::onFinished);
    connect(m_worker, &TrainingWorker::evalArrived, this, [this](const QList<EvalPoint> &points) {
        for (const EvalPoint &p : points) {
            m_charts->appendEvalPoint(double(p.step), p.loss);
            m_log->appendEval(p);
        }
    });
    connect(m_worker, &TrainingWorker::pauseTookHold, this, [this](qint64 step) {
        m_controls->setStatus(tr("Paused after step %1").arg(step));
        if (m_runId != 0)
            m_history->setLiveState(m_runId, tr("paused at step %1").arg(step));
        Q_EMIT pausedAtStep(step);
    });
    connect(m_session, &StudioSession::projectChanged, this, &TrainPage::onProjectChanged);
    connect(m_session, &StudioSession::modelChanged, this, [this] {
        updateHeader();
        updateMemory();
        updateButtons();
    });
    // After the form's own connection: the form shows the change first.
    connect(m_setup, &TrainingSetup::changed, this, [this] {
        updateMemory();
        updateButtons();
    });

    updateHeader();
    updateMemory();
    onProjectChanged();
    setState(State::Idle);
}

TrainPage::~TrainPage() = default;

void TrainPage::chooseDataFile()
{
    m_settings->chooseDataFile();
}

QWidget *TrainPage::createHeader()
{
    auto *title = new QLabel(tr("Train"));
    theme::makeHeading(title, 1.7);
    m_subtitle = new QLabel;
    m_subtitle->setObjectName(QStringLiteral("trainSubtitle"));
    m_subtitle->setTextFormat(Qt::PlainText);
    m_subtitle->setWordWrap(true);  // long model and data names must not widen the window
    theme::makeSecondary(m_subtitle);
    auto *header = new QWidget;
    auto *layout = new QVBoxLayout(header);
    layout->setContentsMargins(kPageMargin + 8, 20, kPageMargin, 14);
    layout->setSpacing(4);
    layout->addWidget(title);
    layout->addWidget(m_subtitle);
    return header;
}

QWidget *TrainPage::createSettingsColumn()
{
    m_settings = new TrainingSettingsForm(m_setup);
    m_datasetPicker = new DatasetPicker(m_session);
    connect(m_datasetPicker, &DatasetPicker::importRequested, this, &TrainPage::importRequested);
    m_memory = new MemoryEstimateCard(tr("Memory for these settings"));
    m_memory->setCompact(true);

    m_form = new QWidget;
    auto *layout = new QVBoxLayout(m_form);
    layout->setContentsMargins(0, 0, 12, 0);
    layout->setSpacing(12);
    layout->addWidget(m_datasetPicker);
    layout->addWidget(m_settings);
    layout->addWidget(m_memory);
    m_stepTime = new StepTimeCard;
    connect(m_stepTime, &StepTimeCard::planChanged, this, [this](qint64 steps, double seconds) {
        if (m_state == State::Idle)
            m_controls->showPlan(steps, seconds);
    });
    layout->addWidget(m_stepTime);
    layout->addStretch(1);
    auto *container = new QWidget;
    auto *containerLayout = new QVBoxLayout(container);
    containerLayout->setContentsMargins(0, 0, 0, 0);
    containerLayout->addWidget(m_form);
    return container;
}

QWidget *TrainPage::createBottomTabs()
{
    m_log = new TrainingLog;
    m_history = new RunHistory(m_session->runs());
    connect(m_history, &RunHistory::overlaysChanged, this,
            [this] { m_charts->setOverlays(m_history->checkedCurves()); });
    connect(m_history, &RunHistory::resumeRequested, this, &TrainPage::resumeRun);
    m_tabs = new QTabWidget;
    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_history, tr("Runs"));
    m_tabs->setMinimumHeight(100);
    return m_tabs;
}

void TrainPage::updateHeader()
{
    const QString model = m_session->hasModel() ? format::modelName(m_session->modelPath())
                                                : tr("no model open (open one on the Model page)");
    const QString dataset = m_setup->projectDataset();
    const QString data = !dataset.isEmpty()          ? tr("dataset %1").arg(dataset)
                         : m_setup->dataPath().isEmpty() ? (m_session->hasProject()
                                                                ? tr("no dataset chosen")
                                                                : tr("no data file chosen"))
                                                         : QFileInfo(m_setup->dataPath()).fileName();
    m_subtitle->setText(tr("Model: %1 · Data: %2").arg(model, data));
}

void TrainPage::updateMemory()
{
    updateHeader();
    m_stepTime->setConfig(m_setup->buildConfig(m_session->modelPath(), QString()),
                          m_session->hasModel() && !m_setup->dataPath().isEmpty());
    const auto model = m_session->model();
    if (!model) {
        m_memory->clearModel();
        return;
    }
    const ft::TrainingConfig &s = m_setup->settings();
    const QString name = s.strategy == "full"
                             ? tr("Full fine-tuning")
                             : tr("LoRA r %1").arg(s.lora.r);
    m_memory->setStrategies({{name, m_setup->memoryStrategy()}});
    m_memory->setBatchAndCutoff(s.perDeviceTrainBatchSize, int(s.cutoffLen));
    m_memory->setModelInfo(model->info());
}

QString TrainPage::newRunDir(QString *name) const
{
    const QString model = format::modelName(m_session->modelPath());
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString candidate = QStringLiteral("%1-%2").arg(model, stamp);
    QDir root(m_runsRoot);
    for (int i = 2; root.exists(candidate); ++i)
        candidate = QStringLiteral("%1-%2-%3").arg(model, stamp).arg(i);
    *name = candidate;
    return root.filePath(candidate);
}

void TrainPage::start()
{
    if (m_state != State::Idle)
        return;
    if (!m_session->hasModel()) {
        reportError(tr("Cannot Start Training"), tr("No model is open."),
                    tr("Open a model on the Model page first."));
        return;
    }
    if (m_setup->dataPath().isEmpty()) {
        reportError(tr("Cannot Start Training"),
                    m_session->hasProject() ? tr("No dataset is chosen.") : tr("No data file is chosen."),
                    m_session->hasProject()
                        ? tr("Choose one of the project's datasets, or import a file on the Data page.")
                        : tr("Choose an Alpaca, messages or ShareGPT file with Browse…"));
        return;
    }
    QString name;
    m_runDir = newRunDir(&name);
    const ft::TrainingConfig config = m_setup->buildConfig(m_session->modelPath(), m_runDir);
    ft::RunRecord run;
    run.name = name.toStdString();
    run.config = config.toJson();
    run.folder = m_runDir.toStdString();
    run.baseModel = config.model;
    run.dataset = config.data;
    run.totalSteps = 0;
    run.pid = ft::currentProcessId();
    m_runId = m_session->runs()->add(run);
    m_charts->clear();
    m_log->clear();
    m_log->appendLine(tr("run %1 → %2").arg(name, QDir::toNativeSeparators(m_runDir)));
    beginRun(config, QString());
}

bool TrainPage::resumeRun(qint64 runId)
{
    if (m_state != State::Idle)
        return false;
    std::optional<ft::RunRecord> run = m_session->runs()->run(runId);
    if (!run || !run->resumable()) {
        reportError(tr("Cannot Resume"), tr("This run has no checkpoint to continue from."),
                    tr("Only a stopped or crashed run with a checkpoint can be resumed."));
        return false;
    }
    ft::TrainingConfig config;
    try {
        config = ft::parseTrainingConfig(run->config, run->name + " (the project's run)");
    } catch (const std::exception &e) {
        reportError(tr("Cannot Resume"), QString::fromStdString(e.what()),
                    tr("The run's stored configuration is not valid any more."));
        return false;
    }
    m_runId = runId;
    m_runDir = QString::fromStdString(run->folder);
    // The curve so far, up to the checkpoint the run continues from (later points belonged to
    // the interrupted part and are trained again).
    m_charts->clear();
    const RunCurve curve = RunHistory::readCurve(QString::fromStdString(run->name), m_runDir);
    QList<TrainingPoint> before;
    for (int i = 0; i < curve.steps.size(); ++i) {
        if (curve.steps[i] > double(run->lastCheckpointStep))
            break;
        TrainingPoint p;
        p.step = qint64(curve.steps[i]);
        p.totalSteps = run->totalSteps;
        p.loss = curve.losses[i];
        before.append(p);
    }
    if (!before.isEmpty())
        m_charts->appendPoints(before);
    run->status = ft::RunStatus::Running;
    run->pid = ft::currentProcessId();
    m_session->runs()->update(*run);
    m_log->clear();
    m_log->appendLine(tr("resuming %1 from checkpoint-%2")
                          .arg(QString::fromStdString(run->name))
                          .arg(run->lastCheckpointStep));
    beginRun(config, m_runDir);
    return true;
}

void TrainPage::beginRun(const ft::TrainingConfig &config, const QString &resumeDir)
{
    m_chartToolbar->setExportFolder(m_runDir);
    m_lastStep = 0;
    m_lastLoss = 0.0;
    m_totalSteps = 0;
    m_controls->reset(tr("Loading the model and the data…"));
    m_history->setLiveState(m_runId, QString());
    m_history->setResumeAllowed(false);
    setState(State::Running);
    QString error;
    if (!m_worker->start(config, resumeDir, m_settings->processes(), &error)) {
        TrainingOutcome outcome;  // reported and recorded as a failed run
        outcome.outputDir = m_runDir;
        outcome.error = error;
        onFinished(outcome);
        return;
    }
    updateButtons();  // a run of several processes cannot pause
}

void TrainPage::recordCheckpoint()
{
    std::optional<ft::RunRecord> run = m_session->runs()->run(m_runId);
    if (!run)
        return;
    run->lastCheckpointStep = ProjectRuns::lastCheckpointStep(m_runDir);
    run->steps = std::max<int64_t>(run->steps, m_lastStep);
    if (m_totalSteps > 0)
        run->totalSteps = m_totalSteps;
    m_session->runs()->update(*run);
}

bool TrainPage::lastRunResumable() const
{
    const std::optional<ft::RunRecord> run = m_session->runs()->run(m_runId);
    return run && run->resumable();
}

void TrainPage::onProjectChanged()
{
    // The runs are the project's now; Resume in the controls is for a run started here.
    if (m_state == State::Idle)
        m_runId = 0;
    m_datasetPicker->refresh();
    m_datasetPicker->setVisible(m_session->hasProject());
    m_settings->setDataFileVisible(!m_session->hasProject());
    updateHeader();
    updateButtons();
}

void TrainPage::pause()
{
    if (m_state != State::Running)
        return;
    m_worker->setPaused(true);
    m_controls->setStatus(tr("Pausing after the current step…"));
    setState(State::Paused);
}

void TrainPage::resume()
{
    if (m_state == State::Idle) {  // the stopped (or crashed) run continues
        if (lastRunResumable())
            resumeRun(m_runId);
        return;
    }
    if (m_state != State::Paused)
        return;
    m_worker->setPaused(false);
    setState(State::Running);
}

void TrainPage::stop()
{
    if (m_state != State::Running && m_state != State::Paused)
        return;
    m_worker->stop();
    m_log->appendLine(tr("stopping after the current step (a checkpoint is written)…"));
    setState(State::Stopping);
}

void TrainPage::setState(State state)
{
    m_state = state;
    updateButtons();
    if (m_runId != 0 && state == State::Running)
        m_history->setLiveState(m_runId, QString());
    Q_EMIT stateChanged(state);
}

void TrainPage::updateButtons()
{
    const bool idle = m_state == State::Idle;
    m_controls->setActions(idle && m_session->hasModel() && !m_setup->dataPath().isEmpty(),
                           m_state == State::Running && m_worker->canPause(),
                           m_state == State::Paused || (idle && lastRunResumable()),
                           m_state == State::Running || m_state == State::Paused);
    m_form->setEnabled(idle);
}

void TrainPage::onPoints(const QList<TrainingPoint> &points)
{
    m_charts->appendPoints(points);
    const TrainingPoint &last = points.last();
    m_lastStep = last.step;
    m_lastLoss = last.loss;
    m_totalSteps = last.totalSteps;
    m_controls->showStep(last);
    m_log->appendSteps(points, m_setup->settings().loggingSteps);
}

void TrainPage::onFinished(const TrainingOutcome &outcome)
{
    // The project's record of the run first: what the run list and Compare show.
    if (std::optional<ft::RunRecord> run = m_session->runs()->run(m_runId)) {
        run->status = !outcome.error.isEmpty() ? ft::RunStatus::Failed
                      : outcome.stopped         ? ft::RunStatus::Stopped
                                                : ft::RunStatus::Finished;
        run->steps = std::max<qint64>(outcome.steps, m_lastStep);
        run->lastCheckpointStep = ProjectRuns::lastCheckpointStep(m_runDir);
        if (m_totalSteps > 0)
            run->totalSteps = m_totalSteps;
        if (m_lastStep > 0)
            run->finalLoss = m_lastLoss;
        run->pid = 0;
        m_session->runs()->update(*run);
    }
    m_history->setLiveState(m_runId, QString());
    m_history->setResumeAllowed(true);
    if (!outcome.error.isEmpty()) {
        m_controls->setStatus(tr("Failed"));
        m_log->appendLine(tr("error: %1").arg(outcome.error));
        reportError(tr("Training Failed"), outcome.error,
                    outcome.badInput
                        ? tr("Check the settings, the data file and the model named above, "
                             "then start again.")
                        : tr("The last checkpoint in the run folder is intact. A lower learning "
                             "rate or cleaner data usually helps."));
    } else if (outcome.stopped) {
        m_controls->setStatus(tr("Stopped at step %1; checkpoint saved").arg(outcome.steps));
        m_log->appendLine(tr("stopped at step %1").arg(outcome.steps));
    } else {
        m_controls->setStatus(tr("Finished: %Ln step(s)", nullptr, int(outcome.steps)));
        m_controls->showCompleted();
    }
    setState(State::Idle);
    Q_EMIT trainingFinished(outcome);
}

void TrainPage::reportError(const QString &title, const QString &message, const QString &hint)
{
    Q_EMIT errorOccurred(message);
    if (m_errorDisplay != ErrorDisplay::Dialog)
        return;
    auto *box = new QMessageBox(QMessageBox::Warning, title, format::sentence(message),
                                QMessageBox::Ok, this);
    box->setInformativeText(hint);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace ftui
