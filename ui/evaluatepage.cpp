#include "evaluatepage.h"

#include "evaluationmatrixview.h"
#include "evaluationrunner.h"
#include "reportpdf.h"
#include "jobprogress.h"
#include "namedbutton.h"
#include "projectruns.h"
#include "studiosession.h"
#include "theme.h"

#include <ft/error.h>
#include <ft/evalmatrix.h>
#include <ft/evalreport.h>
#include <ft/evalstore.h>
#include <ft/project.h>
#include <ft/runstore.h>

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace ftui {

namespace {

std::string fileName(const QString &path)
{
    return QFile::encodeName(path).toStdString();
}

QSpinBox *spin(const QString &name, int low, int high, int value, const QString &suffix = {})
{
    auto *s = new QSpinBox;
    s->setObjectName(name);
    s->setRange(low, high);
    s->setValue(value);
    if (!suffix.isEmpty())
        s->setSpecialValueText(suffix);
    return s;
}

} // namespace

EvaluatePage::EvaluatePage(StudioSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    auto *title = new QLabel(tr("Evaluate"));
    theme::makeHeading(title, 1.4);
    m_runs = new QComboBox;
    m_runs->setObjectName(QStringLiteral("evalRunCombo"));
    m_runs->setToolTip(tr("The tuned run: its adapter is evaluated beside the base model"));
    m_compareMenu = new QMenu(this);
    m_compareMenu->setObjectName(QStringLiteral("compareRunsMenu"));
    m_compare = new QToolButton;
    m_compare->setObjectName(QStringLiteral("compareRunsButton"));
    m_compare->setText(tr("Compare with"));
    m_compare->setToolTip(tr("Show other runs' results beside the chosen run's"));
    m_compare->setPopupMode(QToolButton::InstantPopup);
    m_compare->setMenu(m_compareMenu);

    m_benchmarkPath = new QLineEdit;
    m_benchmarkPath->setObjectName(QStringLiteral("benchmarkPath"));
    m_benchmarkPath->setPlaceholderText(tr("MMLU / C-Eval / CMMLU folder or a JSONL file"));
    auto *browse = namedButton(tr("Browse…"), QStringLiteral("browseBenchmarkButton"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Benchmark folder"), m_benchmarkPath->text());
        if (!dir.isEmpty())
            m_benchmarkPath->setText(dir);
    });
    m_shots = spin(QStringLiteral("shotsSpin"), 0, 5, 0);
    m_limit = spin(QStringLiteral("limitSpin"), 0, 100000, 20, tr("all"));
    m_runBenchmark = namedButton(tr("Run benchmark"), QStringLiteral("runBenchmarkButton"),
                                 tr("Score base and tuned on the same questions"));
    connect(m_runBenchmark, &QPushButton::clicked, this, &EvaluatePage::runBenchmark);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_benchmarkPath, 1);
    pathRow->addWidget(browse);
    auto *benchmarkForm = new QFormLayout;
    benchmarkForm->addRow(tr("Benchmark"), pathRow);
    benchmarkForm->addRow(tr("Shots"), m_shots);
    benchmarkForm->addRow(tr("Questions per subject"), m_limit);
    benchmarkForm->addRow(QString(), m_runBenchmark);
    auto *benchmarkBox = new QGroupBox(tr("General ability"));
    benchmarkBox->setLayout(benchmarkForm);

    m_dataset = new QComboBox;
    m_dataset->setObjectName(QStringLiteral("domainDatasetCombo"));
    m_split = new QComboBox;
    m_split->setObjectName(QStringLiteral("domainSplitCombo"));
    m_split->addItems({QStringLiteral("validation"), QStringLiteral("test")});
    m_rowLimit = spin(QStringLiteral("domainLimitSpin"), 0, 1000000, 50, tr("all"));
    m_maxTokens = spin(QStringLiteral("maxTokensSpin"), 1, 8192, 128);
    m_runDomain = namedButton(tr("Run domain test"), QStringLiteral("runDomainButton"),
                              tr("Generate base and tuned answers for the split and score them"));
    connect(m_runDomain, &QPushButton::clicked, this, &EvaluatePage::runDomainTest);
    auto *domainForm = new QFormLayout;
    domainForm->addRow(tr("Dataset"), m_dataset);
    domainForm->addRow(tr("Split"), m_split);
    domainForm->addRow(tr("Rows"), m_rowLimit);
    domainForm->addRow(tr("Max new tokens"), m_maxTokens);
    domainForm->addRow(QString(), m_runDomain);
    auto *domainBox = new QGroupBox(tr("Domain test"));
    domainBox->setLayout(domainForm);

    m_progress = new JobProgress;
    connect(m_progress, &JobProgress::cancelClicked, this, &EvaluatePage::cancel);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("evaluateStatus"));
    m_status->setWordWrap(true);
    theme::makeSecondary(m_status);
    m_saveReport = namedButton(tr("Save report…"), QStringLiteral("saveReportButton"),
                               tr("The model, the run, its data and the matrix as HTML or PDF"));
    connect(m_saveReport, &QPushButton::clicked, this, &EvaluatePage::chooseSaveReport);

    auto *top = new QHBoxLayout;
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(new QLabel(tr("Tuned run")));
    top->addWidget(m_runs);
    top->addWidget(m_compare);
    top->addWidget(m_saveReport);
    auto *boxes = new QHBoxLayout;
    boxes->addWidget(benchmarkBox, 1);
    boxes->addWidget(domainBox, 1);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_status, 1);
    m_view = new EvaluationMatrixView;
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(boxes);
    layout->addLayout(statusRow);
    layout->addWidget(m_view, 1);

    m_runner = new EvaluationRunner(this);
    connect(m_runner, &EvaluationRunner::progressChanged, this,
            [this](double fraction, const QString &text) { m_progress->setProgress(fraction, text); });
    connect(m_runner, &EvaluationRunner::finished, this, [this](qint64 id) {
        m_progress->finish();
        m_status->setText(tr("Stored as evaluation %1 in the project.").arg(id));
        reloadMatrix();
        updateButtons();
        Q_EMIT evaluationFinished();
    });
    connect(m_runner, &EvaluationRunner::failed, this, [this](const QString &message) {
        m_progress->finish();
        m_status->setText(message);
        updateButtons();
        Q_EMIT evaluationFailed(message);
    });
    connect(m_runner, &EvaluationRunner::cancelled, this, [this] {
        m_progress->finish();
        m_status->setText(tr("Cancelled; nothing was stored."));
        updateButtons();
        Q_EMIT evaluationCancelled();
    });
    connect(m_runs, &QComboBox::currentIndexChanged, this, [this] {
        fillCompareMenu();
        reloadMatrix();
    });
    connect(m_session->runs(), &ProjectRuns::changed, this, &EvaluatePage::refresh);
    connect(m_session, &StudioSession::projectChanged, this, &EvaluatePage::refresh);
    connect(m_session, &StudioSession::modelChanged, this, &EvaluatePage::updateButtons);
    refresh();
}

EvaluatePage::~EvaluatePage() = default;

void EvaluatePage::refresh()
{
    const QVariant chosen = m_runs->currentData();
    const QString dataset = m_dataset->currentText();
    {
        const QSignalBlocker block(m_runs);
        m_runs->clear();
        for (const ft::RunRecord &run : m_session->runs()->runs()) {
            if (ProjectRuns::tunedFolder(run).isEmpty() || run.status == ft::RunStatus::Running)
                continue;
            m_runs->addItem(QString::fromStdString(run.name), QVariant::fromValue<qint64>(run.id));
        }
        const int again = m_runs->findData(chosen);
        m_runs->setCurrentIndex(again >= 0 ? again : 0);
    }
    fillCompareMenu();
    m_dataset->clear();
    if (m_session->hasProject()) {
        try {
            ft::ProjectStore store(fileName(m_session->projectPath()), true);
            for (const ft::DatasetInfo &d : store.datasets())
                if (store.hasSplits(d.id))
                    m_dataset->addItem(QString::fromStdString(d.name));
        } catch (const std::exception &e) {
            m_status->setText(QString::fromUtf8(e.what()));
        }
    }
    const int again = m_dataset->findText(dataset);
    if (again >= 0)
        m_dataset->setCurrentIndex(again);
    reloadMatrix();
    updateButtons();
}

int EvaluatePage::runCount() const
{
    return m_runs->count();
}

bool EvaluatePage::chooseRun(int64_t runId)
{
    const int index = m_runs->findData(QVariant::fromValue<qint64>(runId));
    if (index < 0)
        return false;
    m_runs->setCurrentIndex(index);
    return true;
}

std::optional<int64_t> EvaluatePage::chosenRun() const
{
    if (m_runs->currentIndex() < 0)
        return std::nullopt;
    return m_runs->currentData().value<qint64>();
}

// One checkable entry per offered run other than the chosen one; the checked ones stay checked.
void EvaluatePage::fillCompareMenu()
{
    m_compareMenu->clear();
    std::vector<int64_t> kept;
    const auto chosen = chosenRun();
    for (int i = 0; i < m_runs->count(); ++i) {
        const int64_t id = m_runs->itemData(i).value<qint64>();
        if (chosen && id == *chosen)
            continue;
        QAction *action = m_compareMenu->addAction(m_runs->itemText(i));
        action->setCheckable(true);
        action->setData(QVariant::fromValue<qint64>(id));
        const bool checked = std::find(m_compared.begin(), m_compared.end(), id) != m_compared.end();
        action->setChecked(checked);
        if (checked)
            kept.push_back(id);
        connect(action, &QAction::toggled, this, [this, id](bool on) {
            m_compared.erase(std::remove(m_compared.begin(), m_compared.end(), id), m_compared.end());
            if (on)
                m_compared.push_back(id);
            reloadMatrix();
        });
    }
    m_compared = kept;
    m_compare->setEnabled(!m_compareMenu->isEmpty());
    m_compare->setText(m_compared.empty() ? tr("Compare with") : tr("Compare with (%n)", nullptr, int(m_compared.size())));
}

bool EvaluatePage::setComparedRuns(const std::vector<int64_t> &runIds)
{
    const QList<QAction *> offered = m_compareMenu->actions();
    for (int64_t id : runIds)
        if (std::none_of(offered.begin(), offered.end(), [id](QAction *a) { return a->data().value<qint64>() == id; }))
            return false;
    m_compared = runIds;
    fillCompareMenu();
    reloadMatrix();
    return true;
}

std::vector<int64_t> EvaluatePage::shownRuns() const
{
    std::vector<int64_t> runs;
    if (const auto chosen = chosenRun())
        runs.push_back(*chosen);
    runs.insert(runs.end(), m_compared.begin(), m_compared.end());
    return runs;
}

void EvaluatePage::setBenchmarkPath(const QString &path) { m_benchmarkPath->setText(path); }
void EvaluatePage::setShots(int shots) { m_shots->setValue(shots); }
void EvaluatePage::setLimitPerSubject(int limit) { m_limit->setValue(limit); }
void EvaluatePage::setDomainRowLimit(int rows) { m_rowLimit->setValue(rows); }
void EvaluatePage::setMaxNewTokens(int tokens) { m_maxTokens->setValue(tokens); }

bool EvaluatePage::chooseDataset(const QString &name)
{
    const int index = m_dataset->findText(name);
    if (index >= 0)
        m_dataset->setCurrentIndex(index);
    return index >= 0;
}

QString EvaluatePage::adapterFolder() const
{
    const auto runId = chosenRun();
    if (!runId)
        return {};
    const auto run = m_session->runs()->run(*runId);
    return run ? ProjectRuns::tunedFolder(*run) : QString();
}

bool EvaluatePage::runBenchmark()
{
    if (m_runner->isRunning() || !m_session->hasProject() || m_session->modelPath().isEmpty()) {
        m_status->setText(tr("Open a project and a model first."));
        return false;
    }
    if (m_benchmarkPath->text().trimmed().isEmpty()) {
        m_status->setText(tr("Choose a benchmark folder or file."));
        return false;
    }
    EvaluationRequest request;
    request.kind = EvaluationRequest::Kind::Benchmark;
    request.projectPath = m_session->projectPath();
    request.modelPath = m_session->modelPath();
    request.adapterFolder = adapterFolder();
    request.benchmarkPath = m_benchmarkPath->text().trimmed();
    request.shots = m_shots->value();
    request.limitPerSubject = m_limit->value();
    if (!m_runner->start(request))
        return false;
    m_progress->begin(tr("benchmark"));
    m_status->setText(request.adapterFolder.isEmpty() ? tr("Scoring the base model…")
                                                      : tr("Scoring tuned, then base…"));
    updateButtons();
    return true;
}

bool EvaluatePage::runDomainTest()
{
    if (m_runner->isRunning() || !m_session->hasProject() || m_session->modelPath().isEmpty()) {
        m_status->setText(tr("Open a project and a model first."));
        return false;
    }
    if (m_dataset->currentText().isEmpty()) {
        m_status->setText(tr("Split a dataset on the Data page first: the test uses its validation or test rows."));
        return false;
    }
    EvaluationRequest request;
    request.kind = EvaluationRequest::Kind::Domain;
    request.projectPath = m_session->projectPath();
    request.modelPath = m_session->modelPath();
    request.adapterFolder = adapterFolder();
    request.dataset = m_dataset->currentText();
    request.split = m_split->currentText();
    request.rowLimit = m_rowLimit->value();
    request.maxNewTokens = m_maxTokens->value();
    if (!m_runner->start(request))
        return false;
    m_progress->begin(tr("domain test"));
    m_status->setText(tr("Generating base and tuned answers…"));
    updateButtons();
    return true;
}

void EvaluatePage::cancel()
{
    m_runner->cancel();
}

bool EvaluatePage::isRunning() const
{
    return m_runner->isRunning();
}

void EvaluatePage::waitForFinished()
{
    m_runner->waitForFinished();
}

QString EvaluatePage::statusText() const
{
    return m_status->text();
}

void EvaluatePage::updateButtons()
{
    const bool ready = !m_runner->isRunning() && m_session->hasProject() && !m_session->modelPath().isEmpty();
    m_runBenchmark->setEnabled(ready);
    m_runDomain->setEnabled(ready && m_dataset->count() > 0);
    m_saveReport->setEnabled(m_session->hasProject());
}

void EvaluatePage::reloadMatrix()
{
    if (!m_session->hasProject()) {
        m_view->clear();
        return;
    }
    try {
        ft::ProjectStore store(fileName(m_session->projectPath()), true);
        const ft::EvaluationMatrix matrix = ft::evaluationMatrix(store, shownRuns());
        std::vector<ft::EvaluationItem> benchmark, domain;
        if (matrix.benchmarkEvaluation)
            benchmark = ft::evaluationItems(store, *matrix.benchmarkEvaluation);
        if (matrix.domainEvaluation)
            domain = ft::evaluationItems(store, *matrix.domainEvaluation);
        m_view->setContents(matrix, benchmark, domain);
    } catch (const std::exception &e) {
        m_view->clear();
        m_status->setText(QString::fromUtf8(e.what()));
    }
}

bool EvaluatePage::saveReport(const QString &path, QString *error)
{
    try {
        if (!m_session->hasProject())
            ft::throwBadInput("no project is open");
        ft::ProjectStore store(fileName(m_session->projectPath()), true);
        if (path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive)) {
            // The charts rendered into the PDF (report/reportpdf.h), as `finetune-cli report` does.
            ftreport::writeReportPdf(QString::fromStdString(ft::evaluationReportHtml(store, shownRuns())), path,
                                     tr("Evaluation report"));
        } else {
            ft::writeEvaluationReport(store, shownRuns(), fileName(path));
        }
        m_status->setText(tr("Report saved to %1").arg(path));
        return true;
    } catch (const std::exception &e) {
        const QString message = QString::fromUtf8(e.what());
        m_status->setText(message);
        if (error)
            *error = message;
        return false;
    }
}

void EvaluatePage::chooseSaveReport()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save report"), QStringLiteral("report.html"),
                                                      tr("HTML (*.html);;PDF (*.pdf)"));
    if (!path.isEmpty())
        saveReport(path);
}

} // namespace ftui
