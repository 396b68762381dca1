#include "comparepage.h"

#include "displayformat.h"
#include "elidedlabel.h"
#include "generationrunner.h"
#include "studiosession.h"
#include "theme.h"
#include "validationrowpicker.h"

#include <ft/error.h>
#include <ft/model.h>
#include <ft/project.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace ftui {

namespace {

constexpr int kPageMargin = 24;

QString defaultProjectFile()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(QStringLiteral("ratings.ftproj"));
}

bool isAdapterFolder(const QString &folder)
{
    return QFileInfo::exists(QDir(folder).filePath(QStringLiteral("adapter_config.json")));
}


} // namespace

ComparePage::ComparePage(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session),
      m_projectFile(session->hasProject() ? session->projectPath() : defaultProjectFile())
{
    // Verdicts belong to the open project; the scratch file only serves when there is none.
    connect(session, &StudioSession::projectChanged, this, [this] {
        if (m_session->hasProject())
            setProjectFile(m_session->projectPath());
        refreshValidationRows();
    });
    m_baseRunner = new GenerationRunner(this);
    m_tunedRunner = new GenerationRunner(this);
    connect(m_baseRunner, &GenerationRunner::textArrived, this, [this](const QString &text) {
        m_baseText += text;
        updateTitles();
    });
    connect(m_tunedRunner, &GenerationRunner::textArrived, this, [this](const QString &text) {
        m_tunedText += text;
        updateTitles();
    });
    connect(m_baseRunner, &GenerationRunner::finished, this,
            [this](const GenerationStats &s) { onSideFinished(false, s); });
    connect(m_tunedRunner, &GenerationRunner::finished, this,
            [this](const GenerationStats &s) { onSideFinished(true, s); });
    connect(&m_mergedLoader, &QFutureWatcher<std::shared_ptr<ft::Model>>::finished, this, [this] {
        m_mergedModel = m_mergedLoader.result();
        if (m_mergedModel) {
            m_tunedLabel->setText(tr("Tuned: merged model %1").arg(m_tunedName));
            Q_EMIT tunedReady();
        } else {
            m_tunedFolder.clear();
            m_tunedLabel->clear();
            showError(*m_mergedError);
        }
        updateState();
    });

    auto *title = new QLabel(tr("Compare"));
    theme::makeHeading(title, 1.7);
    auto *subtitle = new QLabel(tr("Base and tuned answer the same prompt with the same decoding "
                                   "settings and seed."));
    theme::makeSecondary(subtitle);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(kPageMargin + 8, 20, kPageMargin, kPageMargin);
    layout->setSpacing(10);
    layout->addWidget(title);
    layout->addWidget(subtitle);
    layout->addWidget(buildSourceBar());
    layout->addWidget(buildPanes(), 1);
    layout->addWidget(buildVoteBar());

    connect(m_session, &StudioSession::modelChanged, this, &ComparePage::onModelChanged);
    onModelChanged();
    updateWinRate();
    refreshValidationRows();
}

ComparePage::~ComparePage() = default;

void ComparePage::onModelChanged()
{
    cancel();
    // An adapter was attached to the previous model; a merged model stays valid.
    if (m_adapterAttached) {
        m_adapterAttached = false;
        m_tunedFolder.clear();
    }
    if (!m_session->hasModel())
        m_tunedLabel->setText(tr("Open the base model on the Model page first."));
    else if (m_tunedFolder.isEmpty())
        m_tunedLabel->setText(tr("Base: %1 · choose the tuned side")
                                  .arg(format::modelName(m_session->modelPath())));
    updateTitles();
    updateState();
}

void ComparePage::addRun(const QString &name, const QString &folder)
{
    if (folder.isEmpty() || m_runs->findData(folder) >= 0)
        return;
    m_runs->addItem(name, folder);
}

void ComparePage::setRuns(const QList<QPair<QString, QString>> &runs)
{
    const QString current = m_runs->currentData().toString();
    const QSignalBlocker block(m_runs);
    while (m_runs->count() > 1)
        m_runs->removeItem(1);
    for (const auto &[name, folder] : runs)
        addRun(name, folder);
    m_runs->setCurrentIndex(std::max(0, m_runs->findData(current)));
}

int ComparePage::runCount() const
{
    return m_runs->count() - 1;
}

void ComparePage::onRunChosen(int index)
{
    const QString folder = m_runs->itemData(index).toString();
    if (!folder.isEmpty())
        setTunedFolder(folder);
}

void ComparePage::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Choose an Adapter or Merged Model Folder"), m_tunedFolder);
    if (!folder.isEmpty())
        setTunedFolder(folder);
}

bool ComparePage::setTunedFolder(const QString &folder)
{
    cancel();
    const std::shared_ptr<ft::Model> model = m_session->model();
    if (isAdapterFolder(folder)) {
        if (!model) {
            showError(tr("Open the base model on the Model page before choosing an adapter."));
            return false;
        }
        try {
            model->attachAdapter(folder.toStdString());
        } catch (const std::exception &e) {
            m_adapterAttached = false;
            m_tunedFolder.clear();
            showError(QString::fromStdString(e.what()));
            updateState();
            return false;
        }
        m_mergedModel.reset();
        m_adapterAttached = true;
        m_tunedFolder = folder;
        m_runs->setCurrentIndex(std::max(0, m_runs->findData(folder)));
        // A run's final/ or checkpoint-N/ folder is named after its run.
        const QString dirName = QDir(folder).dirName();
        const QString runName = QFileInfo(folder).dir().dirName();
        m_tunedName = dirName == QLatin1String("final") ? runName
                      : dirName.startsWith(QLatin1String("checkpoint-"))
                          ? tr("%1 · %2").arg(runName, dirName)
                          : dirName;
        m_tunedLabel->setText(tr("Tuned: %1 adapter %2 on the same base weights")
                                  .arg(QString::fromStdString(model->adapterType()), m_tunedName));
        updateTitles();
        updateState();
        Q_EMIT tunedReady();
        return true;
    }
    if (!QFileInfo::exists(QDir(folder).filePath(QStringLiteral("config.json")))) {
        showError(tr("%1 has neither adapter_config.json (an adapter) nor config.json (a merged "
                     "model).").arg(folder));
        return false;
    }
    if (m_mergedLoader.isRunning())
        return false;
    m_mergedModel.reset();
    m_tunedFolder = folder;
    m_tunedName = QDir(folder).dirName();
    m_tunedLabel->setText(tr("Loading %1…").arg(m_tunedName));
    const std::string path = folder.toStdString();
    m_mergedError = std::make_shared<QString>();
    // The engine's message travels beside the future (QtConcurrent would wrap the exception).
    m_mergedLoader.setFuture(QtConcurrent::run([path, error = m_mergedError]() -> std::shared_ptr<ft::Model> {
        try {
            return std::shared_ptr<ft::Model>(ft::Model::open(path).release());
        } catch (const std::exception &e) {
            *error = QString::fromStdString(e.what());
            return nullptr;
        }
    }));
    updateState();
    return true;
}

bool ComparePage::hasTuned() const
{
    return m_session->hasModel() && (m_adapterAttached || m_mergedModel);
}

bool ComparePage::isLoadingTuned() const
{
    return m_mergedLoader.isRunning();
}

void ComparePage::setProjectFile(const QString &file)
{
    m_projectFile = file;
    updateWinRate();
}

void ComparePage::chooseProject()
{
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Project for the Verdicts"), m_projectFile, tr("FineTune projects (*.ftproj)"),
        nullptr, QFileDialog::DontConfirmOverwrite);
    if (!file.isEmpty())
        setProjectFile(file);
}

void ComparePage::setPrompt(const QString &prompt)
{
    m_promptEdit->setPlainText(prompt);
}

QString ComparePage::prompt() const
{
    return m_promptEdit->toPlainText();
}

void ComparePage::refreshValidationRows()
{
    m_validationRows->reload(m_session->hasProject() ? m_session->projectPath() : QString());
    m_rowPrompt.clear();
    m_reference->clear();
    m_referenceCard->hide();
}

int ComparePage::validationRowCount() const
{
    return m_validationRows->rowCount();
}

bool ComparePage::chooseValidationRow(int row)
{
    if (row < 0 || row >= validationRowCount())
        return false;
    m_validationRows->setCurrentIndex(row + 1);
    onValidationRowChosen(row + 1);
    return true;
}

QString ComparePage::referenceText() const
{
    return m_rowPrompt.isEmpty() ? QString() : m_reference->toPlainText();
}

void ComparePage::onValidationRowChosen(int index)
{
    if (index <= 0) {
        m_rowPrompt.clear();
        m_referenceCard->hide();
        return;
    }
    m_rowPrompt = m_validationRows->promptAt(index);
    m_reference->setPlainText(m_validationRows->referenceAt(index));
    m_referenceCard->show();
    m_settingPrompt = true;
    m_promptEdit->setPlainText(m_rowPrompt);
    m_settingPrompt = false;
}

void ComparePage::onPromptEdited()
{
    // Typing over a row's prompt makes it a free prompt: the row's answer no longer applies.
    if (m_settingPrompt || m_rowPrompt.isEmpty() || m_promptEdit->toPlainText() == m_rowPrompt)
        return;
    m_validationRows->setCurrentIndex(0);
    onValidationRowChosen(0);
}

void ComparePage::setBlind(bool blind)
{
    m_blind->setChecked(blind);
}

bool ComparePage::isBlind() const
{
    return m_blind->isChecked();
}

void ComparePage::compare()
{
    if (isGenerating() || !hasTuned())
        return;
    const QString prompt = m_promptEdit->toPlainText().trimmed();
    if (prompt.isEmpty())
        return;
    const bool blind = isBlind();
    QSet<quint64> &seen = m_seedsShownUnblinded[prompt + QLatin1Char('\n') + m_tunedFolder];
    if (blind && m_temperature->value() <= 0.0 && !seen.isEmpty()) {
        showError(tr("This prompt was compared with the sides shown, and at temperature 0 the "
                     "answers do not depend on the seed: the blind test would show the same "
                     "pair again. Choose another prompt or a validation row, or a temperature "
                     "above 0."));
        return;
    }
    GenerationRequest request;
    request.prompt = prompt;
    request.maxNewTokens = m_maxTokens->value();
    request.temperature = m_temperature->value();
    // Blind: a fresh seed the person has not seen (nor any seed shown unblinded on this prompt),
    // so that the answers are not the ones just read with their names on.
    if (blind) {
        quint64 seed = 0;
        do
            seed = QRandomGenerator::global()->bounded(1u, 1000000000u);
        while (seen.contains(seed) || seed == quint64(m_seed->value()));
        request.seed = seed;
    } else {
        request.seed = quint64(m_seed->value());
        seen.insert(request.seed);
    }
    m_usedSeed = request.seed;
    m_comparedBlind = blind;
    m_prompt = prompt;
    m_baseText.clear();
    m_tunedText.clear();
    m_baseStats.clear();
    m_tunedStats.clear();
    m_tunedLeft = blind ? QRandomGenerator::global()->bounded(2) == 1 : false;
    m_revealed = !blind;
    m_rated = false;
    m_pending = 2;
    m_note->clear();

    GenerationRequest base = request;
    base.useAdapter = false;
    m_baseRunner->start(m_session->model(), base);
    GenerationRequest tuned = request;
    tuned.useAdapter = true;
    m_tunedRunner->start(m_mergedModel ? m_mergedModel : m_session->model(), tuned);
    updateTitles();
    updateState();
}

void ComparePage::cancel()
{
    m_baseRunner->cancel();
    m_tunedRunner->cancel();
}

bool ComparePage::isGenerating() const
{
    return m_baseRunner->isRunning() || m_tunedRunner->isRunning();
}

void ComparePage::onSideFinished(bool tuned, const GenerationStats &stats)
{
    const QString text = stats.error.isEmpty()
                             ? tr("%1 tokens · %2 tok/s")
                                   .arg(stats.tokens)
                                   .arg(QLocale().toString(stats.tokensPerSecond, 'f', 1))
                             : tr("failed");
    (tuned ? m_tunedStats : m_baseStats) = text;
    if (!stats.error.isEmpty())
        showError(stats.error);
    if (--m_pending <= 0) {
        m_pending = 0;
        Q_EMIT comparisonFinished();
    }
    updateTitles();
    updateState();
}

// The generated text itself: the text view turns a lone '\r' into a line break.
QString ComparePage::leftText() const
{
    return m_tunedLeft ? m_tunedText : m_baseText;
}

QString ComparePage::rightText() const
{
    return m_tunedLeft ? m_baseText : m_tunedText;
}

void ComparePage::updateTitles()
{
    const QString tunedName = m_tunedName.isEmpty() ? tr("Tuned") : tr("Tuned · %1").arg(m_tunedName);
    QString leftTitle, rightTitle;
    if (!m_revealed) {
        leftTitle = tr("A");
        rightTitle = tr("B");
    } else if (isBlind()) {  // revealed after the vote
        leftTitle = m_tunedLeft ? tr("A · %1").arg(tunedName) : tr("A · Base");
        rightTitle = m_tunedLeft ? tr("B · Base") : tr("B · %1").arg(tunedName);
    } else {
        leftTitle = m_tunedLeft ? tunedName : tr("Base");
        rightTitle = m_tunedLeft ? tr("Base") : tunedName;
    }
    m_leftTitle->setText(leftTitle);
    m_rightTitle->setText(rightTitle);
    const QString &leftOut = m_tunedLeft ? m_tunedText : m_baseText;
    const QString &rightOut = m_tunedLeft ? m_baseText : m_tunedText;
    if (m_shownLeft != leftOut)
        m_left->setPlainText(m_shownLeft = leftOut);
    if (m_shownRight != rightOut)
        m_right->setPlainText(m_shownRight = rightOut);
    m_leftStats->setText(m_tunedLeft ? m_tunedStats : m_baseStats);
    m_rightStats->setText(m_tunedLeft ? m_baseStats : m_tunedStats);
}

void ComparePage::updateState()
{
    const bool generating = isGenerating();
    m_compare->setEnabled(!generating && hasTuned() && !isLoadingTuned());
    m_cancel->setEnabled(generating);
    m_seed->setEnabled(!isBlind());  // blind draws its own seed
    m_voteBar->setVisible(isBlind());
    const bool canVote = isBlind() && !generating && !m_rated && !m_prompt.isEmpty() &&
                         !m_baseStats.isEmpty() && !m_tunedStats.isEmpty();
    for (QPushButton *b : {m_voteA, m_voteB, m_voteTie})
        b->setEnabled(canVote);
    m_note->setEnabled(canVote);
}

bool ComparePage::vote(const QString &voteName, const QString &note)
{
    if (m_rated || isGenerating() || m_prompt.isEmpty())
        return false;
    ft::RatedComparison c;
    c.prompt = m_prompt.toStdString();
    c.baseOutput = m_baseText.toStdString();
    c.tunedOutput = m_tunedText.toStdString();
    c.tuned = m_tunedFolder.toStdString();
    c.tunedSide = m_tunedLeft ? "A" : "B";
    c.note = note.toStdString();
    c.settings = {{"max_new_tokens", m_maxTokens->value()},
                  {"temperature", m_temperature->value()},
                  {"seed", m_usedSeed},
                  // Blind: the seed was drawn fresh and not shown before the verdict.
                  {"seed_hidden", m_comparedBlind},
                  {"base", m_session->modelPath().toStdString()},
                  {"blind", m_comparedBlind}};
    qint64 id = 0;
    try {
        c.verdict = ft::verdictForVote(voteName.toStdString(), c.tunedSide);
        QDir().mkpath(QFileInfo(m_projectFile).absolutePath());
        ft::ProjectStore store(m_projectFile.toStdString());
        id = ft::addRatedComparison(store, c);
    } catch (const std::exception &e) {
        showError(QString::fromStdString(e.what()));
        return false;
    }
    m_rated = true;
    m_revealed = true;
    updateTitles();
    updateState();
    updateWinRate();
    Q_EMIT voteStored(id);
    return true;
}

ft::WinRate ComparePage::winRate() const
{
    if (!QFileInfo::exists(m_projectFile))
        return {};
    try {
        ft::ProjectStore store(m_projectFile.toStdString(), true);
        return ft::winRate(store);
    } catch (const std::exception &) {
        return {};
    }
}

QString ComparePage::winRateText() const
{
    return m_winRate->text();
}

void ComparePage::updateWinRate()
{
    const ft::WinRate rate = winRate();
    if (rate.total() == 0) {
        m_winRate->setText(tr("No verdicts yet"));
    } else {
        const double share = 100.0 * double(rate.wins) / double(rate.total());
        m_winRate->setText(tr("Tuned wins %1 · ties %2 · base wins %3 (tuned %4 %)")
                               .arg(rate.wins)
                               .arg(rate.ties)
                               .arg(rate.losses)
                               .arg(QLocale().toString(share, 'f', 0)));
    }
    m_projectLabel->setText(QFileInfo(m_projectFile).fileName());
    m_projectLabel->setToolTip(m_projectFile);
}

void ComparePage::showError(const QString &message)
{
    const QString text = format::sentence(message);
    Q_EMIT errorOccurred(text);
    if (m_errorDisplay == ErrorDisplay::Dialog)
        QMessageBox::warning(this, tr("Compare"), text);
}

} // namespace ftui
