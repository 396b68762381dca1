#include "trainingsettingsform.h"

#include "torchrunlauncher.h"

#include "learningratedefaults.h"
#include "trainingsetup.h"

#include <QCheckBox>
#include <QComboBox>
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
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

namespace ftui {

namespace {

// The strategies that train beside a frozen base, which may then be kept compact.
bool adapterStrategy(const std::string &strategy)
{
    return strategy == "lora" || strategy == "ia3" || strategy == "prompt_tuning";
}

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

QStringList splitTargets(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,\\s]+")),
                                          Qt::SkipEmptyParts))
        out << part;
    return out;
}

} // namespace

TrainingSettingsForm::TrainingSettingsForm(TrainingSetup *setup, QWidget *parent)
    : QWidget(parent), m_setup(setup)
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
    connect(browse, &QPushButton::clicked, this, &TrainingSettingsForm::chooseDataFile);
    auto *dataRow = new QWidget;
    m_dataRow = dataRow;
    auto *dataLayout = new QHBoxLayout(dataRow);
    dataLayout->setContentsMargins(0, 0, 0, 0);
    dataLayout->setSpacing(6);
    dataLayout->addWidget(m_dataPath, 1);
    dataLayout->addWidget(browse);
    m_stage = new QComboBox;
    m_stage->setObjectName(QStringLiteral("stageCombo"));
    m_stage->addItem(tr("Instructions (sft)"), QStringLiteral("sft"));
    m_stage->addItem(tr("Documents (pt)"), QStringLiteral("pt"));
    m_stage->addItem(tr("Preferences (DPO)"), QStringLiteral("dpo"));
    m_stage->addItem(tr("Preferences (ORPO)"), QStringLiteral("orpo"));
    m_beta = doubleBox(0.01, 10, 2, 0.05, QStringLiteral("preferenceBeta"));
    m_template = new QComboBox;
    m_template->setObjectName(QStringLiteral("templateCombo"));
    for (const char *name : {"alpaca", "chatml", "llama3", "plain", "model"})
        m_template->addItem(QString::fromLatin1(name));
    auto *runBox = new QGroupBox(tr("Data"));
    auto *runForm = makeForm();
    m_runForm = runForm;
    runBox->setLayout(runForm);
    addField(runForm, tr("Data file"), dataRow,
             tr("The training rows: Alpaca (instruction, input, output), OpenAI messages or "
                "ShareGPT conversations, as .json (a list) or .jsonl. Bad rows are skipped and "
                "counted in the log."));
    addField(runForm, tr("Stage"), m_stage,
             tr("Instructions (sft): rows of instructions or conversations; only the answers "
                "are trained. Documents (pt): continued pre-training on raw text; the documents "
                "are packed into rows of the cutoff length and every token is trained. Chosen "
                "from the dataset's format when a project dataset is picked. Preferences: "
                "pairs of a chosen and a rejected answer; DPO compares with the model without "
                "the adapter (LoRA or IA3), ORPO needs no reference."));
    addField(runForm, tr("Beta"), m_beta,
             tr("DPO: how far the model may move from the reference (0.1 is usual; higher stays "
                "closer). ORPO: the weight of the odds-ratio term beside the chosen answers' "
                "loss (lambda, 0.1)."));
    addField(runForm, tr("Chat template"), m_template,
             tr("How a row becomes text: a built-in template (alpaca, chatml, llama3, plain) or "
                "'model' for the model's own chat template. Only the answer's tokens are "
                "trained."));

    // Strategy.
    m_strategy = new QComboBox;
    m_strategy->setObjectName(QStringLiteral("strategyCombo"));
    m_strategy->addItem(tr("LoRA (adapters)"), QStringLiteral("lora"));
    m_strategy->addItem(tr("Full fine-tuning"), QStringLiteral("full"));
    // Set on the Strategy page (with their options); listed so the form keeps them.
    m_strategy->addItem(tr("Freeze (partial)"), QStringLiteral("freeze"));
    m_strategy->addItem(tr("Progressive unfreezing"), QStringLiteral("progressive"));
    m_strategy->addItem(tr("IA3"), QStringLiteral("ia3"));
    m_strategy->addItem(tr("Prompt tuning"), QStringLiteral("prompt_tuning"));
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
    m_basePrecision = new QComboBox;
    m_basePrecision->setObjectName(QStringLiteral("basePrecision"));
    m_basePrecision->addItem(tr("fp32 (as loaded)"), QStringLiteral("fp32"));
    m_basePrecision->addItem(tr("bf16 (half the memory)"), QStringLiteral("bf16"));
    m_basePrecision->addItem(tr("Q8_0 (8-bit blocks)"), QStringLiteral("q8_0"));
    m_basePrecision->addItem(tr("Q4_0 (4-bit blocks)"), QStringLiteral("q4_0"));
    m_basePrecision->addItem(tr("NF4 (4-bit, QLoRA)"), QStringLiteral("nf4"));
    addField(strategyForm, tr("Frozen base"), m_basePrecision,
             tr("The format the frozen base's layers are kept in while the adapters train "
                "(base_precision): a 4-bit base needs about a third of fp32's memory and is "
                "dequantised layer by layer on the fly. Only for LoRA, IA3 and prompt tuning."));

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
    auto *hyperGrid = m_hyperGrid = new QGridLayout;
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
        m_hyperFields.append({name, field});
        ++cell;
    };
    addHyper(tr("Learning rate"), m_learningRate, learningRateAdvice());
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
    // Data parallel on this machine: PyTorch's torchrun starts the processes (docs/cluster.md).
    m_processes = spinBox(1, maxLocalProcesses(), QStringLiteral("processes"));
    m_processes->setValue(1);
    const TorchrunCommand torchrun = findTorchrun();
    addHyper(tr("Processes"), m_processes,
             torchrun.found()
                 ? tr("Training processes on this machine (data parallel, up to one per GPU, else per "
                      "CPU core). 1 trains inside the studio; more start PyTorch's torchrun with that many "
                      "finetune-cli processes, each taking batch size × accumulation rows per step (the "
                      "effective batch grows with them). The chart shows the first process's log; a run of "
                      "several processes cannot pause.")
                 : torchrun.missing);
    m_processesAvailable = torchrun.found() && maxLocalProcesses() > 1;
    m_processes->setEnabled(m_processesAvailable);
    if (torchrun.found() && maxLocalProcesses() <= 1)
        m_processes->setToolTip(tr("This machine has one CPU core and no GPU: one process."));
    m_checkpointing = new QCheckBox(tr("Save memory"));
    m_checkpointing->setObjectName(QStringLiteral("gradientCheckpointing"));
    addHyper(tr("Checkpointing"), m_checkpointing,
             tr("Gradient checkpointing: each block keeps only its input and runs again in the "
                "backward pass. Activation memory drops to about one block's, for about a third "
                "more compute; the results are the same."));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);
    layout->addWidget(runBox);
    layout->addWidget(strategyBox);
    layout->addWidget(hyperBox);

    // Every edit goes to the shared setup.
    auto changed = [this] { formToSetup(); };
    connect(m_dataPath, &QLineEdit::textChanged, this, changed);
    connect(m_loraTargets, &QLineEdit::textChanged, this, changed);
    connect(m_checkpointing, &QCheckBox::toggled, this, changed);
    for (QComboBox *box : {m_stage, m_template, m_strategy, m_scheduler, m_basePrecision})
        connect(box, &QComboBox::currentIndexChanged, this, changed);
    for (QSpinBox *box : {m_loraR, m_batch, m_accumulation, m_maxSteps, m_seed, m_cutoff,
                          m_loggingSteps, m_saveSteps, m_evalSteps})
        connect(box, &QSpinBox::valueChanged, this, changed);
    for (QDoubleSpinBox *box : {m_loraAlpha, m_loraDropout, m_learningRate, m_epochs, m_warmup,
                                m_weightDecay, m_maxGradNorm, m_valSize, m_beta})
        connect(box, &QDoubleSpinBox::valueChanged, this, changed);

    // Changes from elsewhere (the Strategy page, a project) come back into the widgets.
    connect(m_setup, &TrainingSetup::changed, this, [this] {
        followStrategyLearningRate();
        if (!m_syncing)
            setupToForm();
    });
    // The core's default rate is the article's full fine-tuning one: start from the strategy's.
    if (m_setup->settings().learningRate == ft::TrainingConfig().learningRate) {
        ft::TrainingConfig s = m_setup->settings();
        s.learningRate = defaultLearningRate(s.strategy);
        m_setup->setSettings(s);
    }
    m_lastStrategy = m_setup->settings().strategy;
    m_lastLearningRate = m_setup->settings().learningRate;
    setupToForm();
}

void TrainingSettingsForm::setHyperColumns(int columns)
{
    columns = columns >= 2 ? 2 : 1;
    if (columns == m_hyperColumns)
        return;
    m_hyperColumns = columns;
    for (const auto &[name, field] : m_hyperFields) {
        m_hyperGrid->removeWidget(name);
        m_hyperGrid->removeWidget(field);
    }
    for (int i = 0; i < m_hyperFields.size(); ++i) {
        const int row = i / columns, column = (i % columns) * 2;
        m_hyperGrid->addWidget(m_hyperFields[i].first, row, column);
        m_hyperGrid->addWidget(m_hyperFields[i].second, row, column + 1);
    }
    m_hyperGrid->setColumnStretch(3, columns == 2 ? 1 : 0);
}

void TrainingSettingsForm::addField(QFormLayout *form, const QString &label, QWidget *field,
                         const QString &toolTip)
{
    auto *name = new QLabel(label);
    name->setToolTip(toolTip);
    field->setToolTip(toolTip);
    form->addRow(name, field);
}

void TrainingSettingsForm::formToSetup()
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
    s.preference.beta = m_beta->value();
    s.basePrecision = adapterStrategy(s.strategy)
                          ? m_basePrecision->currentData().toString().toStdString()
                          : "fp32";
    s.gradientCheckpointing = m_checkpointing->isChecked();
    m_syncing = true;
    const QString data = m_dataPath->text().trimmed();
    const bool dataChanged = data != m_setup->dataPath();
    m_setup->setDataPath(data);  // a new dataset may choose the stage
    s.stage = dataChanged ? m_setup->settings().stage : m_stage->currentData().toString().toStdString();
    if (s.stage == "dpo" || s.stage == "orpo")
        s.valSize = 0.0;  // the preference stages have no evaluation yet
    m_setup->setSettings(s);
    m_syncing = false;
    updateStrategyFields();
}

void TrainingSettingsForm::setupToForm()
{
    m_syncing = true;
    const ft::TrainingConfig &s = m_setup->settings();
    m_dataPath->setText(m_setup->dataPath());
    m_stage->setCurrentIndex(qMax(0, m_stage->findData(QString::fromStdString(s.stage))));
    m_template->setCurrentText(QString::fromStdString(s.templateName));
    m_template->setEnabled(s.stage != "pt");  // documents are trained as they are
    m_beta->setValue(s.preference.beta);
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
    m_basePrecision->setCurrentIndex(
        qMax(0, m_basePrecision->findData(QString::fromStdString(s.basePrecision))));
    m_checkpointing->setChecked(s.gradientCheckpointing);
    m_syncing = false;
    updateStrategyFields();
}

void TrainingSettingsForm::followStrategyLearningRate()
{
    // A new strategy brings its own default rate, unless the person set one: the rate was the
    // old strategy's default and this change did not touch it.
    const ft::TrainingConfig &s = m_setup->settings();
    const std::string previous = m_lastStrategy;
    const double previousRate = m_lastLearningRate;
    m_lastStrategy = s.strategy;
    m_lastLearningRate = s.learningRate;
    if (s.strategy == previous || s.learningRate != previousRate ||
        previousRate != defaultLearningRate(previous) ||
        s.learningRate == defaultLearningRate(s.strategy))
        return;
    ft::TrainingConfig next = s;
    next.learningRate = defaultLearningRate(s.strategy);
    m_lastLearningRate = next.learningRate;
    {
        // The form may be mid-edit (m_syncing): show the rate now.
        const QSignalBlocker block(m_learningRate);
        m_learningRate->setValue(next.learningRate);
    }
    m_setup->setSettings(next);  // emits changed again: handled above, then the form follows
}

void TrainingSettingsForm::updateStrategyFields()
{
    m_loraBox->setVisible(m_strategy->currentData().toString() == QLatin1String("lora"));
    // Full, freeze and progressive train the base's own weights, which stay in fp32.
    m_basePrecision->setEnabled(adapterStrategy(m_strategy->currentData().toString().toStdString()));
    const QString stage = m_stage->currentData().toString();
    m_runForm->setRowVisible(m_beta, stage == QLatin1String("dpo") || stage == QLatin1String("orpo"));
    // A project dataset brings its own split; a second random one would mix the two.
    const bool project = !m_setup->projectDataset().isEmpty();
    if (!m_valSize->property("fileToolTip").isValid())
        m_valSize->setProperty("fileToolTip", m_valSize->toolTip());
    m_valSize->setEnabled(!project && stage != QLatin1String("dpo") && stage != QLatin1String("orpo"));
    m_valSize->setToolTip(project ? tr("The project's validation split is evaluated (split the "
                                       "dataset on the Data page).")
                                  : m_valSize->property("fileToolTip").toString());
}

void TrainingSettingsForm::setDataFileVisible(bool visible)
{
    m_runForm->setRowVisible(m_dataRow, visible);
}

void TrainingSettingsForm::chooseDataFile()
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

int TrainingSettingsForm::processes() const
{
    return m_processesAvailable ? m_processes->value() : 1;
}

} // namespace ftui
