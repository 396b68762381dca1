#include "strategypage.h"

#include "displayformat.h"
#include "layermap.h"
#include "studiosession.h"
#include "theme.h"
#include "trainingsetup.h"

#include <ft/error.h>
#include <ft/memoryestimate.h>
#include <ft/model.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace ftui {

namespace {

constexpr int kPageMargin = 24;
constexpr int kOptionsWidth = 430;
const char *const kStrategies[] = {"lora", "freeze", "progressive", "full", "ia3", "prompt_tuning"};
const char *const kBlockParts[] = {"attention", "mlp", "norms"};
const char *const kExtraParts[] = {"embeddings", "final_norm", "lm_head"};

QFormLayout *makeForm()
{
    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(7);
    return form;
}

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &item : text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
        out << item;
    return out;
}

std::vector<std::string> toStd(const QStringList &list)
{
    std::vector<std::string> out;
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

QString joined(const std::vector<std::string> &list)
{
    QStringList out;
    for (const auto &s : list)
        out << QString::fromStdString(s);
    return out.join(QStringLiteral(", "));
}

bool contains(const std::vector<std::string> &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

QString bytesText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString moduleOf(const std::string &fullName)
{
    const QString name = QString::fromStdString(fullName);
    return name.mid(name.lastIndexOf(QLatin1Char('.')) + 1);
}

} // namespace

StrategyPage::StrategyPage(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_setup(session->trainingSetup())
{
    auto *title = new QLabel(tr("Strategy"));
    theme::makeHeading(title, 1.7);
    m_subtitle = new QLabel;
    m_subtitle->setObjectName(QStringLiteral("strategySubtitle"));
    theme::makeSecondary(m_subtitle);
    auto *header = new QVBoxLayout;
    header->setContentsMargins(kPageMargin + 8, 20, kPageMargin, 10);
    header->setSpacing(4);
    header->addWidget(title);
    header->addWidget(m_subtitle);

    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 8, 0);
    leftLayout->setSpacing(12);
    leftLayout->addWidget(buildAdvisor());
    leftLayout->addWidget(buildOptions());
    leftLayout->addStretch(1);
    auto *leftScroll = new QScrollArea;
    leftScroll->setWidget(left);
    leftScroll->setWidgetResizable(true);
    leftScroll->setFrameShape(QFrame::NoFrame);
    leftScroll->setFixedWidth(kOptionsWidth + 16);
    leftScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *body = new QHBoxLayout;
    body->setContentsMargins(kPageMargin, 0, kPageMargin, kPageMargin);
    body->setSpacing(16);
    body->addWidget(leftScroll);
    body->addWidget(buildMapPanel(), 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addLayout(body, 1);

    connect(m_session, &StudioSession::modelChanged, this, &StrategyPage::onModelChanged);
    connect(m_setup, &TrainingSetup::changed, this, [this] {
        if (m_syncing)
            return;
        setupToForm();
        countDatasetRows();
        refreshPlan();
    });
    onModelChanged();
    countDatasetRows();
}

QWidget *StrategyPage::buildAdvisor()
{
    auto *box = new QGroupBox(tr("Advisor"));
    auto *layout = new QVBoxLayout(box);
    auto *form = makeForm();
    m_rows = new QSpinBox;
    m_rows->setObjectName(QStringLiteral("datasetRows"));
    m_rows->setRange(0, 2000000000);
    m_rows->setGroupSeparatorShown(true);
    m_rows->setValue(1000);
    m_rows->setToolTip(tr("Rows in the training data (filled from the chosen data file)."));
    form->addRow(tr("Rows in the dataset"), m_rows);
    layout->addLayout(form);
    m_advice = new QLabel;
    m_advice->setObjectName(QStringLiteral("advice"));
    m_advice->setWordWrap(true);
    m_advice->setTextFormat(Qt::RichText);
    layout->addWidget(m_advice);
    m_applyAdvice = new QPushButton(tr("Use this strategy"));
    m_applyAdvice->setObjectName(QStringLiteral("applyAdvice"));
    layout->addWidget(m_applyAdvice, 0, Qt::AlignLeft);
    connect(m_rows, qOverload<int>(&QSpinBox::valueChanged), this, &StrategyPage::refreshAdvice);
    connect(m_applyAdvice, &QPushButton::clicked, this, &StrategyPage::applyAdvice);
    return box;
}

QWidget *StrategyPage::buildOptions()
{
    auto *box = new QGroupBox(tr("Method"));
    auto *layout = new QVBoxLayout(box);
    m_strategy = new QComboBox;
    m_strategy->setObjectName(QStringLiteral("strategyChoice"));
    m_strategy->addItem(tr("LoRA: low-rank adapters"), QStringLiteral("lora"));
    m_strategy->addItem(tr("Freeze: train some blocks"), QStringLiteral("freeze"));
    m_strategy->addItem(tr("Progressive unfreezing"), QStringLiteral("progressive"));
    m_strategy->addItem(tr("Full fine-tuning"), QStringLiteral("full"));
    m_strategy->addItem(tr("IA3: learned scaling vectors"), QStringLiteral("ia3"));
    m_strategy->addItem(tr("Prompt tuning: virtual tokens"), QStringLiteral("prompt_tuning"));
    layout->addWidget(m_strategy);
    m_options = new QStackedWidget;
    layout->addWidget(m_options);

    auto onChange = [this] { formToSetup(); };
    auto spin = [&](int lo, int hi, const char *name) {
        auto *s = new QSpinBox;
        s->setRange(lo, hi);
        s->setObjectName(QLatin1String(name));
        connect(s, qOverload<int>(&QSpinBox::valueChanged), this, onChange);
        return s;
    };
    auto dspin = [&](double lo, double hi, int decimals, double step, const char *name) {
        auto *s = new QDoubleSpinBox;
        s->setRange(lo, hi);
        s->setDecimals(decimals);
        s->setSingleStep(step);
        s->setObjectName(QLatin1String(name));
        connect(s, qOverload<double>(&QDoubleSpinBox::valueChanged), this, onChange);
        return s;
    };
    auto line = [&](const char *name, const QString &placeholder) {
        auto *e = new QLineEdit;
        e->setObjectName(QLatin1String(name));
        e->setPlaceholderText(placeholder);
        connect(e, &QLineEdit::editingFinished, this, onChange);
        return e;
    };
    auto note = [](const QString &text) {
        auto *l = new QLabel(text);
        l->setWordWrap(true);
        theme::makeSecondary(l);
        return l;
    };
    auto checkRow = [&](QCheckBox **boxes, const char *const *names, const QStringList &labels) {
        auto *row = new QWidget;
        auto *h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        for (int i = 0; i < 3; ++i) {
            boxes[i] = new QCheckBox(labels[i]);
            boxes[i]->setObjectName(QStringLiteral("check_") + QLatin1String(names[i]));
            connect(boxes[i], &QCheckBox::toggled, this, onChange);
            h->addWidget(boxes[i]);
        }
        h->addStretch(1);
        return row;
    };

    // LoRA.
    {
        auto *page = new QWidget;
        auto *form = makeForm();
        form->setContentsMargins(0, 6, 0, 0);
        page->setLayout(form);
        m_loraR = spin(1, 1024, "loraR");
        m_loraAlpha = dspin(0.5, 4096, 1, 1, "loraAlpha");
        m_loraDropout = dspin(0, 0.9, 2, 0.01, "loraDropout");
        form->addRow(tr("Rank r"), m_loraR);
        form->addRow(tr("Alpha"), m_loraAlpha);
        form->addRow(tr("Dropout"), m_loraDropout);
        m_loraTargetBox = new QWidget;
        new QHBoxLayout(m_loraTargetBox);
        m_loraTargetBox->layout()->setContentsMargins(0, 0, 0, 0);
        form->addRow(tr("Targets"), m_loraTargetBox);
        m_loraAllLinear = new QCheckBox(tr("all-linear (every projection)"));
        m_loraAllLinear->setObjectName(QStringLiteral("loraAllLinear"));
        connect(m_loraAllLinear, &QCheckBox::toggled, this, onChange);
        form->addRow(QString(), m_loraAllLinear);
        form->addRow(note(tr("Click the module chips on the map to add or remove targets. "
                             "Each target adds r × (in + out) parameters per block.")));
        m_options->addWidget(page);
    }
    // Freeze.
    {
        auto *page = new QWidget;
        auto *form = makeForm();
        form->setContentsMargins(0, 6, 0, 0);
        page->setLayout(form);
        m_freezeSelection = new QComboBox;
        m_freezeSelection->setObjectName(QStringLiteral("freezeSelection"));
        m_freezeSelection->addItem(tr("Last N blocks"), QStringLiteral("last"));
        m_freezeSelection->addItem(tr("First N blocks"), QStringLiteral("first"));
        m_freezeSelection->addItem(tr("Listed blocks"), QStringLiteral("list"));
        connect(m_freezeSelection, qOverload<int>(&QComboBox::currentIndexChanged), this, onChange);
        m_freezeCount = spin(0, 4096, "freezeCount");
        m_freezeBlocks = line("freezeBlocks", tr("e.g. 0, 5, 6"));
        m_freezePatterns = line("freezePatterns", tr("regexes on parameter names"));
        form->addRow(tr("Trainable blocks"), m_freezeSelection);
        form->addRow(tr("N"), m_freezeCount);
        form->addRow(tr("Blocks"), m_freezeBlocks);
        form->addRow(tr("Parts"), checkRow(m_freezeModules, kBlockParts,
                                           {tr("Attention"), tr("MLP"), tr("Norms")}));
        form->addRow(tr("Also"), checkRow(m_freezeExtra, kExtraParts,
                                          {tr("Embeddings"), tr("Final norm"), tr("lm_head")}));
        form->addRow(tr("Patterns"), m_freezePatterns);
        form->addRow(note(tr("Click a tile, a block's name or drag across the map to freeze or "
                             "unfreeze parts.")));
        m_options->addWidget(page);
    }
    // Progressive.
    {
        auto *page = new QWidget;
        auto *form = makeForm();
        form->setContentsMargins(0, 6, 0, 0);
        page->setLayout(form);
        m_progInitial = spin(0, 4096, "progInitial");
        m_progStages = spin(0, 4096, "progStages");
        m_progBlocksPerStage = spin(1, 4096, "progBlocksPerStage");
        m_progLrFactor = dspin(0.01, 10, 2, 0.1, "progLrFactor");
        form->addRow(tr("Blocks at start"), m_progInitial);
        form->addRow(tr("Stages"), m_progStages);
        form->addRow(tr("Blocks per stage"), m_progBlocksPerStage);
        form->addRow(tr("LR factor"), m_progLrFactor);
        form->addRow(note(tr("Training starts with the top blocks; each epoch the next blocks "
                             "downwards join (stage bands beside the map). Stages 0: one block "
                             "per epoch until all train.")));
        m_options->addWidget(page);
    }
    // Full.
    {
        auto *page = new QWidget;
        auto *v = new QVBoxLayout(page);
        v->setContentsMargins(0, 6, 0, 0);
        v->addWidget(note(tr("Every weight trains: the most memory (weights, gradients and two "
                             "AdamW moments per parameter); worth it above a million rows.")));
        m_options->addWidget(page);
    }
    // IA3.
    {
        auto *page = new QWidget;
        auto *form = makeForm();
        form->setContentsMargins(0, 6, 0, 0);
        page->setLayout(form);
        m_ia3Targets = line("ia3Targets", tr("peft defaults (k_proj, v_proj, down_proj)"));
        m_ia3Feedforward = line("ia3Feedforward", tr("peft defaults (down_proj)"));
        form->addRow(tr("Targets"), m_ia3Targets);
        form->addRow(tr("Feed-forward"), m_ia3Feedforward);
        form->addRow(note(tr("IA3 learns one scaling vector per target: the fewest parameters "
                             "of the adapter methods.")));
        m_options->addWidget(page);
    }
    // Prompt tuning.
    {
        auto *page = new QWidget;
        auto *form = makeForm();
        form->setContentsMargins(0, 6, 0, 0);
        page->setLayout(form);
        m_ptTokens = spin(1, 1024, "ptTokens");
        m_ptInit = new QComboBox;
        m_ptInit->setObjectName(QStringLiteral("ptInit"));
        m_ptInit->addItem(tr("Random"), QStringLiteral("random"));
        m_ptInit->addItem(tr("From text"), QStringLiteral("text"));
        connect(m_ptInit, qOverload<int>(&QComboBox::currentIndexChanged), this, onChange);
        m_ptText = line("ptText", tr("e.g. Answer as a careful nurse:"));
        form->addRow(tr("Virtual tokens"), m_ptTokens);
        form->addRow(tr("Initialise"), m_ptInit);
        form->addRow(tr("Init text"), m_ptText);
        m_options->addWidget(page);
    }
    connect(m_strategy, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int index) {
        m_options->setCurrentIndex(index);
        formToSetup();
    });

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("trainableSummary"));
    m_summary->setWordWrap(true);
    theme::makeHeading(m_summary, 1.1);
    layout->addWidget(m_summary);
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("planError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(theme::warningBoxStyleSheet(QStringLiteral("planError")));
    m_error->setVisible(false);
    layout->addWidget(m_error);
    return box;
}

QWidget *StrategyPage::buildMapPanel()
{
    auto *panel = new QWidget;
    auto *v = new QVBoxLayout(panel);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(8);
    auto *legend = new QHBoxLayout;
    legend->setSpacing(6);
    auto swatch = [&](const QColor &color, const QString &text) {
        auto *box = new QLabel;
        box->setFixedSize(14, 14);
        box->setStyleSheet(QStringLiteral("background:%1;border-radius:3px;").arg(color.name(QColor::HexArgb)));
        legend->addWidget(box);
        legend->addWidget(new QLabel(text));
        legend->addSpacing(10);
    };
    QColor frozen = LayerMap::frozenColor(palette());
    frozen.setAlpha(160);
    swatch(frozen, tr("Frozen"));
    swatch(LayerMap::trainableColor(), tr("Trainable"));
    swatch(LayerMap::loraColor(), tr("LoRA / adapter"));
    swatch(LayerMap::stageColor(1), tr("Later stage"));
    legend->addStretch(1);
    auto *hint = new QLabel(tr("lm_head on top, embeddings at the bottom"));
    theme::makeSecondary(hint);
    legend->addWidget(hint);
    v->addLayout(legend);

    m_map = new LayerMap;
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("layerMapScroll"));
    scroll->setWidget(m_map);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    v->addWidget(scroll, 1);
    connect(m_map, &LayerMap::partsToggled, this, &StrategyPage::onPartsToggled);
    connect(m_map, &LayerMap::loraModuleToggled, this, &StrategyPage::onLoraModuleToggled);
    return panel;
}

void StrategyPage::setStrategy(const QString &strategy)
{
    const int index = m_strategy->findData(strategy);
    if (index >= 0)
        m_strategy->setCurrentIndex(index);
}

QString StrategyPage::strategy() const
{
    return m_strategy->currentData().toString();
}

QString StrategyPage::summaryText() const
{
    return m_summary->text();
}

QString StrategyPage::adviceText() const
{
    return m_advice->text();
}

void StrategyPage::setDatasetRows(qint64 rows)
{
    m_rows->setValue(int(std::min<qint64>(rows, m_rows->maximum())));
}

QString StrategyPage::advisedStrategy(qint64 rows)
{
    if (rows < 100000)
        return QStringLiteral("lora");
    if (rows <= 1000000)
        return QStringLiteral("freeze");
    return QStringLiteral("full");
}

void StrategyPage::onModelChanged()
{
    const std::shared_ptr<ft::Model> model = m_session->model();
    m_structure = {};
    if (model) {
        try {
            m_structure = ft::describeModel(*model);
        } catch (const std::exception &e) {
            m_planError = QString::fromStdString(e.what());
        }
        m_subtitle->setText(tr("%1 · %2 blocks · %3 parameters")
                                .arg(format::modelName(m_session->modelPath()),
                                     QString::number(m_structure.blockCount),
                                     format::parameterCount(m_structure.totalParameters)));
    } else {
        m_subtitle->setText(tr("No model open: open one on the Model page to see its layers."));
    }
    m_map->setStructure(m_structure);
    rebuildLoraTargets();
    setupToForm();
    refreshPlan();
}

void StrategyPage::rebuildLoraTargets()
{
    for (QCheckBox *box : m_loraTargets)
        delete box;
    m_loraTargets.clear();
    // The model's distinct linear module names, in the order of the first block.
    QStringList modules;
    for (const auto &part : m_structure.parts)
        if (part.block == 0)
            for (const auto &name : part.linearModules)
                if (!modules.contains(moduleOf(name)))
                    modules << moduleOf(name);
    if (modules.isEmpty())
        modules = {QStringLiteral("q_proj"), QStringLiteral("k_proj"), QStringLiteral("v_proj"),
                   QStringLiteral("o_proj")};
    auto *layout = static_cast<QHBoxLayout *>(m_loraTargetBox->layout());
    // Two rows would read better for 7 modules; a flow of short labels fits the column.
    for (const QString &module : modules) {
        auto *box = new QCheckBox(module.endsWith(QLatin1String("_proj")) ? module.chopped(5) : module);
        box->setObjectName(QStringLiteral("loraTarget_") + module);
        box->setProperty("module", module);
        box->setToolTip(module);
        connect(box, &QCheckBox::toggled, this, [this] { formToSetup(); });
        layout->addWidget(box);
        m_loraTargets << box;
    }
}

void StrategyPage::setupToForm()
{
    m_syncing = true;
    const ft::TrainingConfig &s = m_setup->settings();
    const int index = m_strategy->findData(QString::fromStdString(s.strategy));
    m_strategy->setCurrentIndex(std::max(0, index));
    m_options->setCurrentIndex(std::max(0, index));

    m_loraR->setValue(s.lora.r);
    m_loraAlpha->setValue(s.lora.loraAlpha);
    m_loraDropout->setValue(s.lora.loraDropout);
    m_loraAllLinear->setChecked(s.lora.targetRegex == "all-linear");
    for (QCheckBox *box : m_loraTargets) {
        box->setChecked(contains(s.lora.targetModules, box->property("module").toString().toStdString()));
        box->setEnabled(s.lora.targetRegex != "all-linear");
    }

    m_freezeSelection->setCurrentIndex(
        std::max(0, m_freezeSelection->findData(QString::fromStdString(s.freeze.blockSelection))));
    m_freezeCount->setValue(s.freeze.blockCount);
    QStringList blocks;
    for (int b : s.freeze.blocks)
        blocks << QString::number(b);
    m_freezeBlocks->setText(blocks.join(QStringLiteral(", ")));
    for (int i = 0; i < 3; ++i) {
        m_freezeModules[i]->setChecked(contains(s.freeze.modules, kBlockParts[i]));
        m_freezeExtra[i]->setChecked(contains(s.freeze.extra, kExtraParts[i]));
    }
    m_freezePatterns->setText(joined(s.freeze.patterns));
    const bool list = s.freeze.blockSelection == "list";
    m_freezeCount->setEnabled(!list);
    m_freezeBlocks->setEnabled(list);

    m_progInitial->setValue(s.progressive.initialBlocks);
    m_progStages->setValue(int(s.progressive.stages.size()));
    m_progBlocksPerStage->setValue(s.progressive.stages.empty() ? 1 : s.progressive.stages.front().blocks);
    m_progLrFactor->setValue(s.progressive.stages.empty() ? 1.0 : s.progressive.stages.front().lrFactor);

    m_ia3Targets->setText(s.ia3.targetRegex.empty() ? joined(s.ia3.targetModules)
                                                    : QString::fromStdString(s.ia3.targetRegex));
    m_ia3Feedforward->setText(s.ia3.feedforwardRegex.empty()
                                  ? joined(s.ia3.feedforwardModules)
                                  : QString::fromStdString(s.ia3.feedforwardRegex));

    m_ptTokens->setValue(s.promptTuning.numVirtualTokens);
    m_ptInit->setCurrentIndex(std::max(0, m_ptInit->findData(QString::fromStdString(s.promptTuning.init))));
    m_ptText->setText(QString::fromStdString(s.promptTuning.initText));
    m_ptText->setEnabled(s.promptTuning.init == "text");
    m_syncing = false;
}

void StrategyPage::formToSetup()
{
    if (m_syncing)
        return;
    ft::TrainingConfig s = m_setup->settings();
    s.strategy = strategy().toStdString();

    s.lora.r = m_loraR->value();
    s.lora.loraAlpha = m_loraAlpha->value();
    s.lora.loraDropout = m_loraDropout->value();
    if (m_loraAllLinear->isChecked()) {
        s.lora.targetRegex = "all-linear";
        s.lora.targetModules.clear();
    } else {
        if (s.lora.targetRegex == "all-linear")
            s.lora.targetRegex.clear();
        if (!m_loraTargets.isEmpty()) {
            s.lora.targetModules.clear();
            for (QCheckBox *box : m_loraTargets)
                if (box->isChecked())
                    s.lora.targetModules.push_back(box->property("module").toString().toStdString());
        }
    }

    s.freeze.blockSelection = m_freezeSelection->currentData().toString().toStdString();
    s.freeze.blockCount = m_freezeCount->value();
    s.freeze.blocks.clear();
    for (const QString &b : splitList(m_freezeBlocks->text()))
        s.freeze.blocks.push_back(b.toInt());
    s.freeze.modules.clear();
    s.freeze.extra.clear();
    for (int i = 0; i < 3; ++i) {
        if (m_freezeModules[i]->isChecked())
            s.freeze.modules.push_back(kBlockParts[i]);
        if (m_freezeExtra[i]->isChecked())
            s.freeze.extra.push_back(kExtraParts[i]);
    }
    s.freeze.patterns = toStd(splitList(m_freezePatterns->text()));

    s.progressive.initialBlocks = m_progInitial->value();
    s.progressive.stages.clear();
    for (int i = 0; i < m_progStages->value(); ++i) {
        ft::ProgressiveStage stage;
        stage.atEpoch = i + 1;
        stage.blocks = m_progBlocksPerStage->value();
        stage.lrFactor = m_progLrFactor->value();
        s.progressive.stages.push_back(stage);
    }

    auto regexOrList = [](const QString &text, std::vector<std::string> &list, std::string &regex) {
        const QStringList items = splitList(text);
        list.clear();
        regex.clear();
        if (items.size() == 1 && (items.first() == QLatin1String("all-linear") ||
                                  items.first().contains(QRegularExpression(QStringLiteral("[\\\\^$*+?()|\\[]")))))
            regex = items.first().toStdString();
        else
            list = toStd(items);
    };
    regexOrList(m_ia3Targets->text(), s.ia3.targetModules, s.ia3.targetRegex);
    regexOrList(m_ia3Feedforward->text(), s.ia3.feedforwardModules, s.ia3.feedforwardRegex);

    s.promptTuning.numVirtualTokens = m_ptTokens->value();
    s.promptTuning.init = m_ptInit->currentData().toString().toStdString();
    s.promptTuning.initText = m_ptText->text().toStdString();

    m_syncing = true;
    m_setup->setSettings(s);
    m_syncing = false;
    setupToForm();  // enables / disables the dependent fields
    refreshPlan();
}

void StrategyPage::refreshPlan()
{
    const std::shared_ptr<ft::Model> model = m_session->model();
    m_planError.clear();
    m_plan = {};
    if (model) {
        try {
            const ft::TrainingConfig config =
                m_setup->buildConfig(m_session->modelPath(), QString());
            m_plan = ft::planTraining(config, *model);
            m_map->setPlan(m_plan);
        } catch (const std::exception &e) {
            m_planError = format::sentence(QString::fromStdString(e.what()));
        }
    }
    if (!model) {
        m_summary->setText(tr("Trainable parameters: open a model"));
    } else if (m_planError.isEmpty()) {
        const double share = m_plan.totalParameters > 0
                                 ? 100.0 * double(m_plan.trainableParameters) / double(m_plan.totalParameters)
                                 : 0.0;
        QString text = tr("Trainable: %1 of %2 parameters (%3 %)")
                           .arg(QLocale().toString(qlonglong(m_plan.trainableParameters)),
                                format::parameterCount(m_plan.totalParameters),
                                QLocale().toString(share, 'f', share < 1 ? 3 : 1));
        if (m_plan.stageTrainableParameters.size() > 1)
            text += tr(", %1 after the last stage")
                        .arg(format::parameterCount(m_plan.stageTrainableParameters.back()));
        m_summary->setText(text);
    } else {
        m_summary->setText(tr("Trainable: the plan has problems"));
    }
    m_error->setText(m_planError);
    m_error->setVisible(!m_planError.isEmpty());
    refreshAdvice();
}

void StrategyPage::countDatasetRows()
{
    // The advisor counts the chosen data file's rows (JSON Lines: lines; JSON: the list's items)
    // when it is small enough to read at once; otherwise the field keeps what the user typed.
    const QString path = m_setup->dataPath();
    if (path.isEmpty() || path == m_countedDataPath)
        return;
    m_countedDataPath = path;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > 256LL * 1024 * 1024)
        return;
    qint64 rows = 0;
    if (path.endsWith(QLatin1String(".jsonl"))) {
        while (!file.atEnd())
            if (!file.readLine().trimmed().isEmpty())
                ++rows;
    } else {
        const nlohmann::json j = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
        if (!j.is_array())
            return;
        rows = qint64(j.size());
    }
    setDatasetRows(rows);
}

void StrategyPage::refreshAdvice()
{
    const qint64 rows = m_rows->value();
    const QString rule = advisedStrategy(rows);
    const QString rowsText = QLocale().toString(rows);
    QString why;
    if (rule == QLatin1String("lora"))
        why = tr("%1 rows is under 100k: the article advises parameter-efficient tuning such as "
                 "LoRA; full training would overfit so little data and costs far more memory.")
                  .arg(rowsText);
    else if (rule == QLatin1String("freeze"))
        why = tr("%1 rows is between 100k and 1M: the article advises partial tuning, training "
                 "the top blocks while the lower ones stay frozen.")
                  .arg(rowsText);
    else
        why = tr("%1 rows is over 1M: the article advises full fine-tuning, on several machines "
                 "at this scale.")
                  .arg(rowsText);

    m_advised = rule;
    const std::shared_ptr<ft::Model> model = m_session->model();
    const qint64 available = ft::physicalMemoryBytes();
    if (model && available > 0) {
        const ft::TrainingConfig &s = m_setup->settings();
        auto estimate = [&](const QString &method) {
            ft::MemoryStrategy ms;
            ms.method = method == QLatin1String("full")     ? ft::TuningMethod::Full
                        : method == QLatin1String("freeze") ? ft::TuningMethod::Freeze
                                                            : ft::TuningMethod::Lora;
            ms.loraR = s.lora.r;
            ms.trainableShare = m_structure.blockCount > 0
                                    ? std::min(1.0, 2.0 / m_structure.blockCount)
                                    : 0.25;
            return ft::estimateTrainingMemory(model->info(), ms, s.perDeviceTrainBatchSize,
                                              int(s.cutoffLen))
                .total();
        };
        // Step down (full -> freeze -> LoRA) until the estimate fits this machine.
        QString chosen = rule;
        qint64 needed = estimate(chosen);
        ft::MemoryVerdict verdict = ft::memoryVerdict(needed, available);
        QString memory;
        while (verdict == ft::MemoryVerdict::DoesNotFit && chosen != QLatin1String("lora")) {
            const QString next = chosen == QLatin1String("full") ? QStringLiteral("freeze")
                                                                 : QStringLiteral("lora");
            memory += tr(" %1 would need about %2 of this machine's %3 RAM, which does not fit;")
                          .arg(m_strategy->itemText(m_strategy->findData(chosen)).section(QLatin1Char(':'), 0, 0),
                               bytesText(needed), bytesText(available));
            chosen = next;
            needed = estimate(chosen);
            verdict = ft::memoryVerdict(needed, available);
        }
        const QString name =
            m_strategy->itemText(m_strategy->findData(chosen)).section(QLatin1Char(':'), 0, 0);
        memory += tr(" %1 needs about %2 of %3 RAM here at batch %4 and cutoff %5 (%6).")
                      .arg(name, bytesText(needed), bytesText(available),
                           QString::number(s.perDeviceTrainBatchSize), QString::number(s.cutoffLen),
                           QString::fromLatin1(ft::memoryVerdictName(verdict)));
        why += memory;
        m_advised = chosen;
    }
    const QString name = m_strategy->itemText(m_strategy->findData(m_advised)).section(QLatin1Char(':'), 0, 0);
    m_advice->setText(QStringLiteral("<b>%1</b><br>%2").arg(tr("Advice: %1").arg(name), why.toHtmlEscaped()));
    m_applyAdvice->setEnabled(m_advised != strategy());
}

void StrategyPage::applyAdvice()
{
    setStrategy(m_advised);
}

void StrategyPage::onPartsToggled(const QStringList &ids, bool trainable)
{
    if (m_structure.parts.empty())
        return;
    // The parts that train now (from the plan; a LoRA or adapter plan trains none of them).
    std::set<std::string> on;
    const bool baseTraining = strategy() == QLatin1String("freeze") ||
                              strategy() == QLatin1String("full") ||
                              strategy() == QLatin1String("progressive");
    if (baseTraining)
        for (const auto &part : m_plan.parts)
            if (part.trainable)
                on.insert(part.id);
    for (const QString &id : ids) {
        if (trainable)
            on.insert(id.toStdString());
        else
            on.erase(id.toStdString());
    }
    // Explicit freeze options: whole blocks as the list, parts of blocks as anchored patterns on
    // their parameter names, parts outside the blocks as extras.
    ft::TrainingConfig s = m_setup->settings();
    s.strategy = "freeze";
    s.freeze.blockSelection = "list";
    s.freeze.blockCount = 0;
    s.freeze.blocks.clear();
    s.freeze.modules = {"attention", "mlp", "norms"};
    s.freeze.extra.clear();
    s.freeze.patterns.clear();
    for (int b = 0; b < m_structure.blockCount; ++b) {
        std::vector<const ft::ModelPart *> parts;
        for (const auto &part : m_structure.parts)
            if (part.block == b)
                parts.push_back(&part);
        const bool all = std::all_of(parts.begin(), parts.end(),
                                     [&](const ft::ModelPart *p) { return on.count(p->id) > 0; });
        if (all && !parts.empty()) {
            s.freeze.blocks.push_back(b);
            continue;
        }
        for (const ft::ModelPart *p : parts) {
            if (!on.count(p->id) || p->parameterNames.empty())
                continue;
            QStringList names;
            for (const auto &name : p->parameterNames)
                names << QRegularExpression::escape(QString::fromStdString(name));
            s.freeze.patterns.push_back(
                (QStringLiteral("^(") + names.join(QLatin1Char('|')) + QStringLiteral(")$")).toStdString());
        }
    }
    for (const auto &part : m_structure.parts)
        if (part.block < 0 && on.count(part.id) && !(part.kind == "lm_head" && part.tied))
            s.freeze.extra.push_back(part.kind);
    m_syncing = true;
    m_setup->setSettings(s);
    m_syncing = false;
    setupToForm();
    refreshPlan();
}

void StrategyPage::onLoraModuleToggled(const QString &module)
{
    ft::TrainingConfig s = m_setup->settings();
    const std::string name = module.toStdString();
    if (s.strategy != "lora") {
        // The first click on a chip switches to LoRA with that module among the targets.
        s.strategy = "lora";
        if (s.lora.targetRegex.empty() && !contains(s.lora.targetModules, name))
            s.lora.targetModules.push_back(name);
    } else {
        if (s.lora.targetRegex == "all-linear") {
            // Expand all-linear into its modules, then remove the clicked one.
            s.lora.targetRegex.clear();
            s.lora.targetModules.clear();
            for (QCheckBox *box : m_loraTargets)
                s.lora.targetModules.push_back(box->property("module").toString().toStdString());
        }
        auto it = std::find(s.lora.targetModules.begin(), s.lora.targetModules.end(), name);
        if (it != s.lora.targetModules.end())
            s.lora.targetModules.erase(it);
        else
            s.lora.targetModules.push_back(name);
    }
    if (!s.lora.targetRegex.empty() && s.lora.targetRegex != "all-linear")
        s.lora.targetRegex.clear();
    if (s.lora.targetModules.empty() && s.lora.targetRegex.empty())
        s.lora.targetModules.push_back(name);
    m_syncing = true;
    m_setup->setSettings(s);
    m_syncing = false;
    setupToForm();
    refreshPlan();
}

} // namespace ftui
