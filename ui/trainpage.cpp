#include "trainpage.h"

#include "displayformat.h"
#include "memoryestimatecard.h"
#include "runhistory.h"
#include "studiosession.h"
#include "theme.h"
#include "trainingcharts.h"
#include "trainingsetup.h"

#include <ft/model.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>

namespace ftui {

namespace {

constexpr int kPageMargin = 24;
constexpr int kFormWidth = 440;
const char kDataDirKey[] = "trainPage/lastDataDirectory";

// A spin box for values such as 2e-5: shown in scientific notation, stepped by factors of two.
class ScientificSpinBox : public QDoubleSpinBox
{
public:
    ScientificSpinBox()
    {
        setDecimals(12);
        setRange(1e-9, 1.0);
    }
    QString textFromValue(double value) const override { return QString::number(value, 'g', 3); }
    double valueFromText(const QString &text) const override { return text.toDouble(); }
    QValidator::State validate(QString &text, int &) const override
    {
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (ok && v >= minimum() && v <= maximum())
            return QValidator::Acceptable;
        return QValidator::Intermediate;
    }
    void stepBy(int steps) override { setValue(value() * std::pow(2.0, steps)); }
};

QSpinBox *spinBox(int min, int max, const QString &name)
{
    auto *box = new QSpinBox;
    box->setRange(min, max);
    box->setObjectName(name);
    return box;
}

QDoubleSpinBox *doubleBox(double min, double max, int decimals, double step, const QString &name)
{
    auto *box = new QDoubleSpinBox;
    box->setRange(min, max);
    box->setDecimals(decimals);
    box->setSingleStep(step);
    box->setObjectName(name);
    return box;
}

QString duration(double seconds)
{
    const qint64 s = qMax<qint64>(0, qRound64(seconds));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QStringList splitTargets(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,\\s]+")),
                                          Qt::SkipEmptyParts))
        out << part;
    return out;
}

} // namespace

TrainPage::TrainPage(StudioSession *session, QWidget *parent)
    : QWidget(parent),
      m_session(session),
      m_setup(session->trainingSetup()),
      m_worker(new TrainingWorker(this))
{
    m_runsRoot = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                     .filePath(QStringLiteral("runs"));
    connect(m_worker, &TrainingWorker::pointsArrived, this, &TrainPage::onPoints);
    connect(m_worker, &TrainingWorker::logArrived, this, [this](const QStringList &lines) {
        for (const QString &line : lines)
            appendLog(line);
    });
    connect(m_worker, &TrainingWorker::finished, this, &TrainPage::onFinished);
    connect(m_worker, &TrainingWorker::evalArrived, this, [this](const QList<EvalPoint> &points) {
        for (const EvalPoint &p : points) {
            m_charts->appendEvalPoint(double(p.step), p.loss);
            appendLog(tr("step %1  eval loss %2  perplexity %3")
                          .arg(p.step)
                          .arg(p.loss, 0, 'f', 4)
                          .arg(p.perplexity, 0, 'f', 2));
        }
    });
    connect(m_worker, &TrainingWorker::pauseTookHold, this, [this](qint64 step) {
        m_eta->setText(tr("Paused after step %1").arg(step));
        if (m_historyRow >= 0)
            m_history->setRunState(m_historyRow, tr("paused at step %1").arg(step));
        Q_EMIT pausedAtStep(step);
    });
    connect(m_session, &StudioSession::modelChanged, this, [this] {
        updateHeader();
        updateMemory();
        updateButtons();
    });
    connect(m_setup, &TrainingSetup::changed, this, [this] {
        if (!m_syncing)
            setupToForm();
        updateMemory();
        updateButtons();
    });

    auto *formScroll = new QScrollArea;
    formScroll->setWidget(createForm());
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    formScroll->setFixedWidth(kFormWidth + 24);
    formScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_charts = new TrainingCharts;
    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(12, 0, 0, 0);
    rightLayout->setSpacing(10);
    rightLayout->addWidget(createActionBar());
    rightLayout->addWidget(m_charts, 3);
    rightLayout->addWidget(createChartToolbar());
    rightLayout->addWidget(createBottomTabs(), 1);

    auto *body = new QHBoxLayout;
    body->setContentsMargins(kPageMargin, 0, kPageMargin, kPageMargin);
    body->setSpacing(0);
    body->addWidget(formScroll);
    body->addWidget(right, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(createHeader());
    layout->addLayout(body, 1);

    setupToForm();
    updateHeader();
    updateMemory();
    setState(State::Idle);
}

TrainPage::~TrainPage() = default;

QWidget *TrainPage::createHeader()
{
    auto *title = new QLabel(tr("Train"));
    theme::makeHeading(title, 1.7);
    m_subtitle = new QLabel;
    m_subtitle->setObjectName(QStringLiteral("trainSubtitle"));
    m_subtitle->setTextFormat(Qt::PlainText);
    theme::makeSecondary(m_subtitle);
    auto *header = new QWidget;
    auto *layout = new QVBoxLayout(header);
    layout->setContentsMargins(kPageMargin + 8, 20, kPageMargin, 14);
    layout->setSpacing(4);
    layout->addWidget(title);
    layout->addWidget(m_subtitle);
    return header;
}

void TrainPage::addField(QFormLayout *form, const QString &label, QWidget *field,
                         const QString &toolTip)
{
    auto *name = new QLabel(label);
    name->setToolTip(toolTip);
    field->setToolTip(toolTip);
    form->addRow(name, field);
}

QWidget *TrainPage::createForm()
{
    auto makeForm = [] {
        auto *form = new QFormLayout;
        form->setLabelAlignment(Qt::AlignLeft);
        form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        form->setHorizontalSpacing(14);
        form->setVerticalSpacing(7);
        return form;
    };

    // Run: data and template.
    m_dataPath = new QLineEdit;
    m_dataPath->setObjectName(QStringLiteral("dataPath"));
    m_dataPath->setPlaceholderText(tr("Alpaca / messages / ShareGPT .json or .jsonl"));
    auto *browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(QStringLiteral("browseData"));
    connect(browse, &QPushButton::clicked, this, &TrainPage::chooseDataFile);
    auto *dataRow = new QWidget;
    auto *dataLayout = new QHBoxLayout(dataRow);
    dataLayout->setContentsMargins(0, 0, 0, 0);
    dataLayout->setSpacing(6);
    dataLayout->addWidget(m_dataPath, 1);
    dataLayout->addWidget(browse);
    m_template = new QComboBox;
    m_template->setObjectName(QStringLiteral("templateCombo"));
    for (const char *name : {"alpaca", "chatml", "llama3", "plain", "model"})
        m_template->addItem(QString::fromLatin1(name));
    auto *runBox = new QGroupBox(tr("Data"));
    auto *runForm = makeForm();
    runBox->setLayout(runForm);
    addField(runForm, tr("Data file"), dataRow,
             tr("The training rows: Alpaca (instruction, input, output), OpenAI messages or "
                "ShareGPT conversations, as .json (a list) or .jsonl. Bad rows are skipped and "
                "counted in the log."));
    addField(runForm, tr("Chat template"), m_template,
             tr("How a row becomes text: a built-in template (alpaca, chatml, llama3, plain) or "
                "'model' for the model's own chat template. Only the answer's tokens are "
                "trained."));

    // Strategy.
    m_strategy = new QComboBox;
    m_strategy->setObjectName(QStringLiteral("strategyCombo"));
    m_strategy->addItem(tr("LoRA (adapters)"), QStringLiteral("lora"));
    m_strategy->addItem(tr("Full fine-tuning"), QStringLiteral("full"));
    m_loraR = spinBox(1, 1024, QStringLiteral("loraR"));
    m_loraAlpha = doubleBox(0.5, 4096, 1, 1, QStringLiteral("loraAlpha"));
    m_loraDropout = doubleBox(0, 0.9, 2, 0.01, QStringLiteral("loraDropout"));
    m_loraTargets = new QLineEdit;
    m_loraTargets->setObjectName(QStringLiteral("loraTargets"));
    auto *strategyBox = new QGroupBox(tr("Strategy"));
    auto *strategyForm = makeForm();
    strategyBox->setLayout(strategyForm);
    addField(strategyForm, tr("Method"), m_strategy,
             tr("LoRA trains small low-rank adapters beside frozen weights: little memory, the "
                "article's advice under 100k rows. Full fine-tuning trains every weight."));
    m_loraBox = new QWidget;
    auto *loraForm = makeForm();
    loraForm->setContentsMargins(0, 0, 0, 0);
    m_loraBox->setLayout(loraForm);
    addField(loraForm, tr("Rank r"), m_loraR,
             tr("The adapters' rank: trainable parameters grow linearly with r (8 to 64 is "
                "usual)."));
    addField(loraForm, tr("Alpha"), m_loraAlpha,
             tr("lora_alpha: the update is scaled by alpha / r (2 × r is a common choice)."));
    addField(loraForm, tr("Dropout"), m_loraDropout,
             tr("Dropout on the adapters' input while training (regularisation)."));
    addField(loraForm, tr("Targets"), m_loraTargets,
             tr("Module names that get adapters, separated by commas (q_proj, v_proj, ...), or "
                "all-linear."));
    strategyForm->addRow(m_loraBox);

    // Hyper-parameters.
    m_learningRate = new ScientificSpinBox;
    m_learningRate->setObjectName(QStringLiteral("learningRate"));
    m_batch = spinBox(1, 4096, QStringLiteral("batchSize"));
    m_accumulation = spinBox(1, 4096, QStringLiteral("gradientAccumulation"));
    m_epochs = doubleBox(0.01, 1000, 2, 1, QStringLiteral("epochs"));
    m_maxSteps = spinBox(-1, 10000000, QStringLiteral("maxSteps"));
    m_maxSteps->setSpecialValueText(tr("from epochs"));
    m_warmup = doubleBox(0, 1, 2, 0.01, QStringLiteral("warmupRatio"));
    m_scheduler = new QComboBox;
    m_scheduler->setObjectName(QStringLiteral("scheduler"));
    for (const char *name : {"linear", "cosine", "constant_with_warmup", "constant"})
        m_scheduler->addItem(QString::fromLatin1(name));
    m_weightDecay = doubleBox(0, 1, 3, 0.01, QStringLiteral("weightDecay"));
    m_maxGradNorm = doubleBox(0, 1000, 2, 0.1, QStringLiteral("maxGradNorm"));
    m_maxGradNorm->setSpecialValueText(tr("no clipping"));
    m_seed = spinBox(0, 2147483647, QStringLiteral("seed"));
    m_cutoff = spinBox(8, 131072, QStringLiteral("cutoffLen"));
    m_loggingSteps = spinBox(1, 100000, QStringLiteral("loggingSteps"));
    m_saveSteps = spinBox(0, 10000000, QStringLiteral("saveSteps"));
    m_saveSteps->setSpecialValueText(tr("at end"));
    m_valSize = doubleBox(0, 0.5, 2, 0.05, QStringLiteral("valSize"));
    m_valSize->setSpecialValueText(tr("none"));
    m_evalSteps = spinBox(0, 10000000, QStringLiteral("evalSteps"));
    m_evalSteps->setSpecialValueText(tr("per epoch"));
    auto *hyperBox = new QGroupBox(tr("Hyper-parameters"));
    // Two label / field pairs per row, so that the whole form fits a 900-pixel-high window.
    auto *hyperGrid = new QGridLayout;
    hyperGrid->setHorizontalSpacing(10);
    hyperGrid->setVerticalSpacing(7);
    hyperGrid->setColumnStretch(1, 1);
    hyperGrid->setColumnStretch(3, 1);
    hyperBox->setLayout(hyperGrid);
    int cell = 0;
    auto addHyper = [&](const QString &label, QWidget *field, const QString &toolTip) {
        auto *name = new QLabel(label);
        name->setToolTip(toolTip);
        field->setToolTip(toolTip);
        field->setMinimumWidth(84);
        const int row = cell / 2, column = (cell % 2) * 2;
        hyperGrid->addWidget(name, row, column);
        hyperGrid->addWidget(field, row, column + 1);
        ++cell;
    };
    addHyper(tr("Learning rate"), m_learningRate,
             tr("The step size of AdamW. Fine-tuning wants a small one: 2e-5 for full "
                "fine-tuning, LoRA often takes 1e-4 to 2e-4. Too high: the loss jumps or "
                "becomes NaN."));
    addHyper(tr("Batch size"), m_batch,
             tr("Rows per forward pass (per_device_train_batch_size). Memory grows with batch × "
                "cutoff."));
    addHyper(tr("Accumulation"), m_accumulation,
             tr("Gradient accumulation steps: micro-batches summed before each optimiser step. "
                "The effective batch is batch size × accumulation (4 × 8 = 32) without the "
                "memory of a big batch."));
    addHyper(tr("Epochs"), m_epochs,
             tr("Passes over the data. 3 is the usual default; more risks memorising the data."));
    addHyper(tr("Max steps"), m_maxSteps,
             tr("Optimiser steps to run; when set it overrides the epochs (for short trials)."));
    addHyper(tr("Warmup"), m_warmup,
             tr("Share of the steps over which the learning rate rises from 0 (0.1 = the first "
                "10 %): keeps the first updates from wrecking the pretrained weights."));
    addHyper(tr("Scheduler"), m_scheduler,
             tr("How the learning rate falls after warmup: linear to 0, cosine, or constant."));
    addHyper(tr("Weight decay"), m_weightDecay,
             tr("AdamW's decoupled weight decay on matrices (not biases or norms): mild "
                "regularisation, 0 to 0.1."));
    addHyper(tr("Max grad norm"), m_maxGradNorm,
             tr("Gradients are clipped to this global L2 norm (1.0 is the default); guards "
                "against loss spikes."));
    addHyper(tr("Seed"), m_seed,
             tr("Seeds the data order, the LoRA initialisation and dropout: the same seed gives "
                "the same run."));
    addHyper(tr("Cutoff"), m_cutoff,
             tr("Tokens per example (cutoff_len); longer rows are truncated. Activation memory "
                "grows with it."));
    addHyper(tr("Logging steps"), m_loggingSteps,
             tr("Every how many steps a line goes to metrics.jsonl in the run folder (the chart "
                "shows every step)."));
    addHyper(tr("Save steps"), m_saveSteps,
             tr("Every how many steps a checkpoint is written (to resume from). Stop always "
                "writes one."));
    addHyper(tr("Validation"), m_valSize,
             tr("Share of the rows held out to measure the eval loss (a seeded split; 0: none). "
                "Eval loss rising while the training loss falls means overfitting."));
    addHyper(tr("Eval steps"), m_evalSteps,
             tr("Every how many steps the held-out rows are evaluated (0: at each epoch's end)."));

    m_memory = new MemoryEstimateCard(tr("Memory for these settings"));
    m_memory->setCompact(true);

    m_form = new QWidget;
    auto *layout = new QVBoxLayout(m_form);
    layout->setContentsMargins(0, 0, 12, 0);
    layout->setSpacing(12);
    layout->addWidget(runBox);
    layout->addWidget(strategyBox);
    layout->addWidget(hyperBox);
    layout->addWidget(m_memory);
    layout->addStretch(1);
    auto *container = new QWidget;
    auto *containerLayout = new QVBoxLayout(container);
    containerLayout->setContentsMargins(0, 0, 0, 0);
    containerLayout->addWidget(m_form);

    // Every edit goes to the shared setup.
    auto changed = [this] { formToSetup(); };
    connect(m_dataPath, &QLineEdit::textChanged, this, changed);
    connect(m_loraTargets, &QLineEdit::textChanged, this, changed);
    for (QComboBox *box : {m_template, m_strategy, m_scheduler})
        connect(box, &QComboBox::currentIndexChanged, this, changed);
    for (QSpinBox *box : {m_loraR, m_batch, m_accumulation, m_maxSteps, m_seed, m_cutoff,
                          m_loggingSteps, m_saveSteps, m_evalSteps})
        connect(box, &QSpinBox::valueChanged, this, changed);
    for (QDoubleSpinBox *box : {m_loraAlpha, m_loraDropout, m_learningRate, m_epochs, m_warmup,
                                m_weightDecay, m_maxGradNorm, m_valSize})
        connect(box, &QDoubleSpinBox::valueChanged, this, changed);
    return container;
}

QWidget *TrainPage::createActionBar()
{
    m_startButton = new QPushButton(tr("Start"));
    m_startButton->setObjectName(QStringLiteral("startButton"));
    m_startButton->setDefault(true);
    m_pauseButton = new QPushButton(tr("Pause"));
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_resumeButton = new QPushButton(tr("Resume"));
    m_resumeButton->setObjectName(QStringLiteral("resumeButton"));
    m_stopButton = new QPushButton(tr("Stop"));
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_stopButton->setToolTip(tr("Stop after the current step and write a checkpoint"));
    connect(m_startButton, &QPushButton::clicked, this, &TrainPage::start);
    connect(m_pauseButton, &QPushButton::clicked, this, &TrainPage::pause);
    connect(m_resumeButton, &QPushButton::clicked, this, &TrainPage::resume);
    connect(m_stopButton, &QPushButton::clicked, this, &TrainPage::stop);

    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v / %m steps"));
    m_eta = new QLabel;
    m_eta->setObjectName(QStringLiteral("etaLabel"));
    m_eta->setMinimumWidth(170);
    theme::makeSecondary(m_eta);

    auto *bar = new QWidget;
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    for (QPushButton *b : {m_startButton, m_pauseButton, m_resumeButton, m_stopButton})
        layout->addWidget(b);
    layout->addSpacing(12);
    layout->addWidget(m_progress, 1);
    layout->addWidget(m_eta);
    return bar;
}

QWidget *TrainPage::createChartToolbar()
{
    auto *smoothingLabel = new QLabel(tr("Smoothing"));
    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(qRound(m_charts->smoothing() * 100));
    m_smoothing->setMaximumWidth(180);
    const QString smoothingTip = tr("Weight of the exponential moving average drawn over the raw "
                                    "loss (0: none, 0.99: very smooth)");
    m_smoothing->setToolTip(smoothingTip);
    smoothingLabel->setToolTip(smoothingTip);
    auto *smoothingValue = new QLabel(QString::number(m_charts->smoothing(), 'f', 2));
    smoothingValue->setMinimumWidth(32);
    connect(m_smoothing, &QSlider::valueChanged, this, [this, smoothingValue](int v) {
        m_charts->setSmoothing(v / 100.0);
        smoothingValue->setText(QString::number(v / 100.0, 'f', 2));
    });
    m_logScale = new QCheckBox(tr("Log scale"));
    m_logScale->setObjectName(QStringLiteral("logScale"));
    connect(m_logScale, &QCheckBox::toggled, m_charts, &TrainingCharts::setLogScale);
    auto *png = new QPushButton(tr("Export PNG…"));
    png->setObjectName(QStringLiteral("exportPng"));
    connect(png, &QPushButton::clicked, this, &TrainPage::exportPng);
    auto *csv = new QPushButton(tr("Export CSV…"));
    csv->setObjectName(QStringLiteral("exportCsv"));
    connect(csv, &QPushButton::clicked, this, &TrainPage::exportCsv);

    auto *bar = new QWidget;
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(smoothingLabel);
    layout->addWidget(m_smoothing);
    layout->addWidget(smoothingValue);
    layout->addSpacing(12);
    layout->addWidget(m_logScale);
    layout->addStretch(1);
    layout->addWidget(png);
    layout->addWidget(csv);
    return bar;
}

QWidget *TrainPage::createBottomTabs()
{
    m_log = new QPlainTextEdit;
    m_log->setObjectName(QStringLiteral("trainLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_history = new RunHistory;
    connect(m_history, &RunHistory::overlaysChanged, this,
            [this] { m_charts->setOverlays(m_history->checkedCurves()); });
    m_tabs = new QTabWidget;
    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_history, tr("Runs"));
    m_tabs->setMinimumHeight(150);
    return m_tabs;
}

void TrainPage::formToSetup()
{
    if (m_syncing)
        return;
    ft::TrainingConfig s = m_setup->settings();
    s.templateName = m_template->currentText().toStdString();
    s.strategy = m_strategy->currentData().toString().toStdString();
    s.lora.r = m_loraR->value();
    s.lora.loraAlpha = m_loraAlpha->value();
    s.lora.loraDropout = m_loraDropout->value();
    const QStringList targets = splitTargets(m_loraTargets->text());
    s.lora.targetModules.clear();
    s.lora.targetRegex.clear();
    if (targets.size() == 1 && targets.first() == QLatin1String("all-linear"))
        s.lora.targetRegex = "all-linear";
    else
        for (const QString &t : targets)
            s.lora.targetModules.push_back(t.toStdString());
    s.learningRate = m_learningRate->value();
    s.perDeviceTrainBatchSize = m_batch->value();
    s.gradientAccumulationSteps = m_accumulation->value();
    s.numTrainEpochs = m_epochs->value();
    s.maxSteps = m_maxSteps->value() == 0 ? -1 : m_maxSteps->value();
    s.warmupRatio = m_warmup->value();
    s.lrSchedulerType = m_scheduler->currentText().toStdString();
    s.weightDecay = m_weightDecay->value();
    s.maxGradNorm = m_maxGradNorm->value();
    s.seed = quint64(m_seed->value());
    s.cutoffLen = m_cutoff->value();
    s.loggingSteps = m_loggingSteps->value();
    s.saveSteps = m_saveSteps->value();
    s.valSize = m_valSize->value();
    s.evalSteps = m_evalSteps->value();
    m_syncing = true;
    m_setup->setDataPath(m_dataPath->text().trimmed());
    m_setup->setSettings(s);
    m_syncing = false;
    updateStrategyFields();
}

void TrainPage::setupToForm()
{
    m_syncing = true;
    const ft::TrainingConfig &s = m_setup->settings();
    m_dataPath->setText(m_setup->dataPath());
    m_template->setCurrentText(QString::fromStdString(s.templateName));
    m_strategy->setCurrentIndex(qMax(0, m_strategy->findData(QString::fromStdString(s.strategy))));
    m_loraR->setValue(s.lora.r);
    m_loraAlpha->setValue(s.lora.loraAlpha);
    m_loraDropout->setValue(s.lora.loraDropout);
    QStringList targets;
    if (!s.lora.targetRegex.empty())
        targets << QString::fromStdString(s.lora.targetRegex);
    for (const std::string &t : s.lora.targetModules)
        targets << QString::fromStdString(t);
    m_loraTargets->setText(targets.join(QStringLiteral(", ")));
    m_learningRate->setValue(s.learningRate);
    m_batch->setValue(s.perDeviceTrainBatchSize);
    m_accumulation->setValue(s.gradientAccumulationSteps);
    m_epochs->setValue(s.numTrainEpochs);
    m_maxSteps->setValue(s.maxSteps > 0 ? int(s.maxSteps) : 0);
    m_maxSteps->setMinimum(0);
    m_warmup->setValue(s.warmupRatio);
    m_scheduler->setCurrentText(QString::fromStdString(s.lrSchedulerType));
    m_weightDecay->setValue(s.weightDecay);
    m_maxGradNorm->setValue(s.maxGradNorm);
    m_seed->setValue(int(s.seed));
    m_cutoff->setValue(int(s.cutoffLen));
    m_loggingSteps->setValue(int(s.loggingSteps));
    m_saveSteps->setValue(int(s.saveSteps));
    m_valSize->setValue(s.valSize < 1 ? s.valSize : 0.0);
    m_evalSteps->setValue(int(s.evalSteps));
    m_syncing = false;
    updateStrategyFields();
}

void TrainPage::updateStrategyFields()
{
    m_loraBox->setVisible(m_strategy->currentData().toString() == QLatin1String("lora"));
}

void TrainPage::updateHeader()
{
    const QString model = m_session->hasModel() ? format::modelName(m_session->modelPath())
                                                : tr("no model open (open one on the Model page)");
    const QString data = m_setup->dataPath().isEmpty() ? tr("no data file chosen")
                                                       : QFileInfo(m_setup->dataPath()).fileName();
    m_subtitle->setText(tr("Model: %1 · Data: %2").arg(model, data));
}

void TrainPage::updateMemory()
{
    updateHeader();
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

void TrainPage::chooseDataFile()
{
    QString dir = QSettings().value(QLatin1String(kDataDirKey)).toString();
    if (!QFileInfo(dir).isDir())
        dir = QDir::homePath();
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Choose Training Data"), dir, tr("Training data (*.json *.jsonl);;All files (*)"));
    if (file.isEmpty())
        return;
    QSettings().setValue(QLatin1String(kDataDirKey), QFileInfo(file).absolutePath());
    m_dataPath->setText(file);
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
        reportError(tr("Cannot Start Training"), tr("No data file is chosen."),
                    tr("Choose an Alpaca, messages or ShareGPT file with Browse…"));
        return;
    }
    QString name;
    m_runDir = newRunDir(&name);
    const ft::TrainingConfig config = m_setup->buildConfig(m_session->modelPath(), m_runDir);
    m_charts->clear();
    m_log->clear();
    m_lastStep = 0;
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_eta->setText(tr("Loading the model and the data…"));
    appendLog(tr("run %1 → %2").arg(name, QDir::toNativeSeparators(m_runDir)));
    m_historyRow = m_history->addRun(name, m_runDir);
    setState(State::Running);
    m_worker->start(config);
}

void TrainPage::pause()
{
    if (m_state != State::Running)
        return;
    m_worker->setPaused(true);
    m_eta->setText(tr("Pausing after the current step…"));
    setState(State::Paused);
}

void TrainPage::resume()
{
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
    appendLog(tr("stopping after the current step (a checkpoint is written)…"));
    setState(State::Stopping);
}

void TrainPage::setState(State state)
{
    m_state = state;
    updateButtons();
    if (m_historyRow >= 0 && state == State::Running)
        m_history->setRunState(m_historyRow, tr("running"));
    Q_EMIT stateChanged(state);
}

void TrainPage::updateButtons()
{
    const bool idle = m_state == State::Idle;
    m_startButton->setEnabled(idle && m_session->hasModel() && !m_setup->dataPath().isEmpty());
    m_pauseButton->setEnabled(m_state == State::Running);
    m_resumeButton->setEnabled(m_state == State::Paused);
    m_stopButton->setEnabled(m_state == State::Running || m_state == State::Paused);
    m_form->setEnabled(idle);
}

void TrainPage::appendLog(const QString &line)
{
    m_log->appendPlainText(line);
}

void TrainPage::onPoints(const QList<TrainingPoint> &points)
{
    m_charts->appendPoints(points);
    const TrainingPoint &last = points.last();
    m_lastStep = last.step;
    m_progress->setRange(0, int(last.totalSteps));
    m_progress->setValue(int(last.step));
    m_eta->setText(tr("epoch %1 · %2 left · %3 in use")
                       .arg(last.epoch, 0, 'f', 2)
                       .arg(duration(last.etaSeconds),
                            MemoryEstimateCard::bytes(last.memoryBytes)));
    m_eta->setToolTip(tr("%1 elapsed (pauses excluded); memory: the process's resident set")
                          .arg(duration(last.elapsedSeconds)));
    // The log pane gets one line per logging interval, as the CLI prints.
    const qint64 every = qMax<qint64>(1, m_setup->settings().loggingSteps);
    for (const TrainingPoint &p : points)
        if (p.step % every == 0 || p.step == p.totalSteps)
            appendLog(tr("step %1/%2  loss %3  lr %4  grad norm %5  %6 tokens/s")
                          .arg(p.step)
                          .arg(p.totalSteps)
                          .arg(p.loss, 0, 'f', 4)
                          .arg(p.learningRate, 0, 'g', 3)
                          .arg(p.gradNorm, 0, 'f', 3)
                          .arg(p.tokensPerSecond, 0, 'f', 0));
}

void TrainPage::onFinished(const TrainingOutcome &outcome)
{
    QString state;
    if (!outcome.error.isEmpty()) {
        state = tr("failed");
        m_eta->setText(tr("Failed"));
        appendLog(tr("error: %1").arg(outcome.error));
        reportError(tr("Training Failed"), outcome.error,
                    outcome.badInput
                        ? tr("Check the settings, the data file and the model named above, "
                             "then start again.")
                        : tr("The last checkpoint in the run folder is intact. A lower learning "
                             "rate or cleaner data usually helps."));
    } else if (outcome.stopped) {
        state = tr("stopped at step %1").arg(outcome.steps);
        m_eta->setText(tr("Stopped at step %1; checkpoint saved").arg(outcome.steps));
        appendLog(tr("stopped at step %1").arg(outcome.steps));
    } else {
        state = tr("finished, %1 steps").arg(outcome.steps);
        m_eta->setText(tr("Finished: %1 steps").arg(outcome.steps));
        m_progress->setValue(m_progress->maximum());
    }
    m_historyRow = -1;
    m_history->setRunState(0, state);
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

void TrainPage::exportPng()
{
    const QString file = QFileDialog::getSaveFileName(this, tr("Export Chart"), m_runDir,
                                                      tr("PNG images (*.png)"));
    if (!file.isEmpty() && !m_charts->exportPng(file))
        reportError(tr("Export Failed"), tr("Cannot write %1").arg(file),
                    tr("Choose a folder you can write to."));
}

void TrainPage::exportCsv()
{
    const QString file = QFileDialog::getSaveFileName(this, tr("Export Metrics"), m_runDir,
                                                      tr("CSV files (*.csv)"));
    if (!file.isEmpty() && !m_charts->exportCsv(file))
        reportError(tr("Export Failed"), tr("Cannot write %1").arg(file),
                    tr("Choose a folder you can write to."));
}

} // namespace ftui
