#include "strategypage.h"

#include "clusterrecipedialog.h"
#include "datafilerows.h"
#include "documenttokens.h"
#include "displayformat.h"
#include "freezeoptionspanel.h"
#include "ia3optionspanel.h"
#include "layermap.h"
#include "layermapedits.h"
#include "layermappanel.h"
#include "loraoptionspanel.h"
#include "progressiveoptionspanel.h"
#include "prompttuningoptionspanel.h"
#include "strategyadvisor.h"
#include "strategynames.h"
#include "studiosession.h"
#include "theme.h"
#include "trainingsetup.h"

#include <ft/model.h>

#include <QComboBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace ftui {

namespace {

constexpr int kPageMargin = 24;
constexpr int kOptionsWidth = 430;

} // namespace

StrategyPage::StrategyPage(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_setup(session->trainingSetup())
{
    auto *title = new QLabel(tr("Strategy"));
    theme::makeHeading(title, 1.7);
    m_subtitle = new QLabel;
    m_subtitle->setObjectName(QStringLiteral("strategySubtitle"));
    m_subtitle->setWordWrap(true);  // a long model name must not widen the window
    theme::makeSecondary(m_subtitle);
    auto *header = new QVBoxLayout;
    header->setContentsMargins(kPageMargin + 8, 20, kPageMargin, 10);
    header->setSpacing(4);
    header->addWidget(title);
    header->addWidget(m_subtitle);

    m_advisor = new StrategyAdvisor;
    connect(m_advisor, &StrategyAdvisor::rowsChanged, this, &StrategyPage::refreshAdvice);
    connect(m_advisor, &StrategyAdvisor::applyRequested, this, &StrategyPage::setStrategy);
    connect(m_advisor, &StrategyAdvisor::clusterRecipeRequested, this, &StrategyPage::writeClusterRecipe);
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 8, 0);
    leftLayout->setSpacing(12);
    leftLayout->addWidget(m_advisor);
    leftLayout->addWidget(buildMethodBox());
    leftLayout->addStretch(1);
    auto *leftScroll = new QScrollArea;
    leftScroll->setWidget(left);
    leftScroll->setWidgetResizable(true);
    leftScroll->setFrameShape(QFrame::NoFrame);
    leftScroll->setFixedWidth(kOptionsWidth + 16);
    leftScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *mapPanel = new LayerMapPanel;
    m_map = mapPanel->map();
    connect(m_map, &LayerMap::partsToggled, this, [this](const QStringList &ids, bool trainable) {
        if (!m_structure.parts.empty())
            applySettings(withPartsToggled(m_setup->settings(), m_structure, m_plan, ids, trainable));
    });
    connect(m_map, &LayerMap::loraModuleToggled, this, [this](const QString &module) {
        applySettings(withLoraModuleToggled(m_setup->settings(), module, m_lora->modules()));
    });

    auto *body = new QHBoxLayout;
    body->setContentsMargins(kPageMargin, 0, kPageMargin, kPageMargin);
    body->setSpacing(16);
    body->addWidget(leftScroll);
    body->addWidget(mapPanel, 1);

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

QWidget *StrategyPage::buildMethodBox()
{
    auto *box = new QGroupBox(tr("Method"));
    auto *layout = new QVBoxLayout(box);
    m_strategy = new QComboBox;
    m_strategy->setObjectName(QStringLiteral("strategyChoice"));
    m_options = new QStackedWidget;
    m_lora = new LoraOptionsPanel;
    auto *full = new OptionsPanel;
    full->addNote(tr("Every weight trains: the most memory (weights, gradients and two AdamW "
                     "moments per parameter); worth it above a million rows."));
    // In strategyIds()'s order.
    m_panels = {m_lora, new FreezeOptionsPanel, new ProgressiveOptionsPanel, full,
                new Ia3OptionsPanel, new PromptTuningOptionsPanel};
    const QStringList ids = strategyIds();
    for (int i = 0; i < ids.size(); ++i) {
        m_strategy->addItem(strategyLabel(ids[i]), ids[i]);
        m_options->addWidget(m_panels[size_t(i)]);
        connect(m_panels[size_t(i)], &OptionsPanel::edited, this, &StrategyPage::formToSetup);
    }
    layout->addWidget(m_strategy);
    layout->addWidget(m_options);
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
    return m_advisor->adviceText();
}

void StrategyPage::setDatasetRows(qint64 rows)
{
    m_advisor->setDatasetRows(rows);
}

QString StrategyPage::advisedStrategy(qint64 rows)
{
    return StrategyAdvisor::advisedStrategy(rows);
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
    m_lora->setStructure(m_structure);
    setupToForm();
    countDatasetRows();  // documents are counted with the model's tokenizer
    refreshPlan();
}

void StrategyPage::setupToForm()
{
    m_syncing = true;
    const ft::TrainingConfig &s = m_setup->settings();
    const int index = std::max(0, m_strategy->findData(QString::fromStdString(s.strategy)));
    m_strategy->setCurrentIndex(index);
    m_options->setCurrentIndex(index);
    for (OptionsPanel *panel : m_panels)
        panel->load(s);
    m_syncing = false;
}

void StrategyPage::formToSetup()
{
    if (m_syncing)
        return;
    ft::TrainingConfig s = m_setup->settings();
    s.strategy = strategy().toStdString();
    for (const OptionsPanel *panel : m_panels)
        panel->store(s);
    applySettings(s);
}

void StrategyPage::applySettings(const ft::TrainingConfig &settings)
{
    m_syncing = true;
    m_setup->setSettings(settings);
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
            const ft::TrainingConfig config = m_setup->buildConfig(m_session->modelPath(), QString());
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
    // The advisor counts the chosen data file's rows when it is small enough to read at once;
    // otherwise the field keeps what the user typed.
    const QString path = m_setup->dataPath();
    const std::shared_ptr<ft::Model> model = m_session->model();
    const bool documents = m_setup->settings().stage == "pt";
    // Counted again when the data, the stage or (for documents) the tokenizer changes.
    const QString key = path + (documents ? QStringLiteral("|pt|%1").arg(quintptr(model.get())) : QString());
    if (path.isEmpty() || key == m_countedDataPath)
        return;
    m_countedDataPath = key;
    if (documents) {
        if (model && model->tokenizer())
            if (const auto tokens = countDocumentTokens(path, *model->tokenizer()))
                m_advisor->setDatasetTokens(*tokens);
        return;
    }
    if (const auto rows = countDataFileRows(path))
        setDatasetRows(*rows);
}

void StrategyPage::refreshAdvice()
{
    const std::shared_ptr<ft::Model> model = m_session->model();
    m_advisor->refresh(model.get(), m_structure, m_setup->settings(), strategy());
}

} // namespace ftui

namespace ftui {

void StrategyPage::writeClusterRecipe()
{
    ClusterRecipeDialog dialog(m_setup->buildConfig(m_session->modelPath(), QString()), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ft::ClusterRecipe &r = dialog.recipe();
    QString text = tr("Wrote %1 (%2 training rows). Its README.md has the launch commands.")
                       .arg(QString::fromStdString(r.folder.string()), QLocale().toString(qlonglong(r.trainRows)));
    for (const auto &w : r.warnings)
        text += QStringLiteral("\n- ") + QString::fromStdString(w.message);
    QMessageBox::information(this, tr("Cluster recipe"), text);
}

} // namespace ftui
