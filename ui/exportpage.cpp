#include "exportpage.h"

#include "exportrunner.h"
#include "exportusage.h"
#include "jobprogress.h"
#include "projectruns.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

namespace ftui {
namespace {

const char *const kGgufTypes[] = {"Q8_0", "Q6_K", "Q4_K_M", "Q4_0", "Q4_1", "F16", "BF16", "F32"};

struct TargetChoice
{
    ft::ExportFormat format;
    bool ollamaAdapter;  // base GGUF + llama.cpp LoRA instead of the merged model
    const char *label;
};

const TargetChoice kTargets[] = {
    {ft::ExportFormat::Peft, false, QT_TRANSLATE_NOOP("ExportPage", "PEFT adapter (transformers + peft)")},
    {ft::ExportFormat::Merged, false, QT_TRANSLATE_NOOP("ExportPage", "Merged Hugging Face folder")},
    {ft::ExportFormat::Gguf, false, QT_TRANSLATE_NOOP("ExportPage", "GGUF (llama.cpp), merged")},
    {ft::ExportFormat::GgufLora, false, QT_TRANSLATE_NOOP("ExportPage", "llama.cpp LoRA adapter (GGUF)")},
    {ft::ExportFormat::Ollama, false, QT_TRANSLATE_NOOP("ExportPage", "Ollama bundle (GGUF + Modelfile)")},
    {ft::ExportFormat::Ollama, true,
     QT_TRANSLATE_NOOP("ExportPage", "Ollama bundle, base GGUF + LoRA adapter (LoRA runs)")},
};

bool usesGgufType(ft::ExportFormat f)
{
    return f == ft::ExportFormat::Gguf || f == ft::ExportFormat::Ollama;
}

} // namespace

ExportPage::ExportPage(ProjectRuns *runs, QWidget *parent)
    : QWidget(parent), m_runs(runs), m_runner(new ExportRunner(this))
{
    auto *title = new QLabel(tr("Export"));
    theme::makeHeading(title, 1.3);
    auto *intro = new QLabel(tr("Write a run as files the rest of the ecosystem loads. The export is "
                                "checked (read back, logits compared) before it is moved into place."));
    intro->setWordWrap(true);
    theme::makeSecondary(intro);

    m_run = new QComboBox;
    m_run->setObjectName(QStringLiteral("exportRun"));
    m_source = new QComboBox;
    m_source->setObjectName(QStringLiteral("exportSource"));
    m_target = new QComboBox;
    m_target->setObjectName(QStringLiteral("exportTarget"));
    for (const TargetChoice &t : kTargets)
        m_target->addItem(tr(t.label));
    m_type = new QComboBox;
    m_type->setObjectName(QStringLiteral("exportType"));
    m_destination = new QLineEdit;
    m_destination->setObjectName(QStringLiteral("exportDestination"));
    m_destination->setPlaceholderText(tr("Folder to create"));
    auto *browse = new QPushButton(tr("Browse…"));
    auto *destinationRow = new QHBoxLayout;
    destinationRow->addWidget(m_destination, 1);
    destinationRow->addWidget(browse);
    m_overwrite = new QCheckBox(tr("Replace the folder if it exists (once the new one is complete)"));

    auto *form = new QFormLayout;
    form->addRow(tr("Run:"), m_run);
    form->addRow(tr("Weights:"), m_source);
    form->addRow(tr("Target:"), m_target);
    form->addRow(tr("GGUF type:"), m_type);
    form->addRow(tr("Destination:"), destinationRow);
    form->addRow(QString(), m_overwrite);

    m_exportButton = new QPushButton(tr("Export"));
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setDefault(true);
    m_progress = new JobProgress;
    auto *actionRow = new QHBoxLayout;
    actionRow->addWidget(m_exportButton);
    actionRow->addWidget(m_progress, 1);
    actionRow->addStretch();  // keeps the button compact while no export runs

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("exportStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *usageTitle = new QLabel(tr("How to use it"));
    theme::makeHeading(usageTitle, 1.0);
    m_usage = new QPlainTextEdit;
    m_usage->setObjectName(QStringLiteral("exportUsage"));
    m_usage->setReadOnly(true);
    m_usage->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_usage->setPlaceholderText(tr("The commands that load the export appear here."));
    m_openFolder = new QPushButton(tr("Open Folder"));
    m_openFolder->setEnabled(false);
    auto *usageRow = new QHBoxLayout;
    usageRow->addWidget(usageTitle);
    usageRow->addStretch(1);
    usageRow->addWidget(m_openFolder);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addLayout(actionRow);
    layout->addWidget(m_status);
    layout->addLayout(usageRow);
    layout->addWidget(m_usage, 1);

    connect(m_runs, &ProjectRuns::changed, this, &ExportPage::refreshRuns);
    connect(m_run, &QComboBox::currentIndexChanged, this, [this] {
        refreshSources();
        refreshTypes();
        suggestDestination();
    });
    connect(m_source, &QComboBox::currentIndexChanged, this, &ExportPage::suggestDestination);
    connect(m_target, &QComboBox::currentIndexChanged, this, [this] {
        refreshTypes();
        suggestDestination();
    });
    connect(m_type, &QComboBox::currentIndexChanged, this, &ExportPage::suggestDestination);
    connect(m_destination, &QLineEdit::textEdited, this, [this] { m_destinationEdited = true; });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString parent = QFileDialog::getExistingDirectory(
            this, tr("Folder to export into"), QFileInfo(m_destination->text()).absolutePath());
        if (parent.isEmpty())
            return;
        setDestination(QDir(parent).filePath(QFileInfo(m_destination->text()).fileName()));
        m_destinationEdited = true;
    });
    connect(m_exportButton, &QPushButton::clicked, this, &ExportPage::startExport);
    connect(m_progress, &JobProgress::cancelClicked, this, &ExportPage::cancelExport);
    connect(m_openFolder, &QPushButton::clicked, this, [this] {
        QDesktopServices::openUrl(QUrl::fromLocalFile(m_lastFolder));
    });
    connect(m_runner, &ExportRunner::progressChanged, m_progress, &JobProgress::setProgress);
    connect(m_runner, &ExportRunner::exported, this, &ExportPage::onExported);
    connect(m_runner, &ExportRunner::cancelled, this,
            [this] { onEnded(tr("Cancelled; nothing was written."), false); });
    connect(m_runner, &ExportRunner::failed, this,
            [this](const QString &message) { onEnded(tr("Export failed: %1").arg(message), false); });
    refreshRuns();
}

ExportPage::~ExportPage() = default;

void ExportPage::refreshRuns()
{
    const QString current = runFolder();
    QSignalBlocker block(m_run);
    m_run->clear();
    for (const ft::RunRecord &run : m_runs->runs()) {
        if (run.status == ft::RunStatus::Running || ProjectRuns::tunedFolder(run).isEmpty())
            continue;
        m_run->addItem(QStringLiteral("%1 — %2").arg(QString::fromStdString(run.name),
                                                     ProjectRuns::statusText(run)),
                       QString::fromStdString(run.folder));
    }
    const int keep = m_run->findData(current);
    m_run->setCurrentIndex(keep >= 0 ? keep : 0);
    m_exportButton->setEnabled(m_run->count() > 0 && !isExporting());
    if (m_run->count() == 0)
        m_status->setText(tr("No run to export yet: train one on the Train page."));
    refreshSources();
    refreshTypes();
    suggestDestination();
}

QString ExportPage::runFolder() const
{
    return m_run->currentData().toString();
}

void ExportPage::refreshSources()
{
    QSignalBlocker block(m_source);
    m_source->clear();
    const QString folder = runFolder();
    if (folder.isEmpty())
        return;
    const QDir dir(folder);
    if (QFileInfo(dir.filePath(QStringLiteral("final"))).isDir())
        m_source->addItem(tr("final model"), QStringLiteral("final"));
    QList<int> steps;
    for (const QString &name : dir.entryList({QStringLiteral("checkpoint-*")}, QDir::Dirs))
        steps.append(name.mid(11).toInt());
    std::sort(steps.begin(), steps.end(), std::greater<int>());
    for (int step : steps)
        m_source->addItem(tr("checkpoint at step %1").arg(step), QStringLiteral("checkpoint-%1").arg(step));
}

void ExportPage::refreshTypes()
{
    const QString keep = m_type->currentData().toString();
    QSignalBlocker block(m_type);
    m_type->clear();
    const QString run = runFolder();
    // The run list changes with every logged step of a training run: size each run once.
    QList<quint64> &sizes = m_expectedBytes[run];
    if (sizes.isEmpty() && !run.isEmpty())
        for (const char *type : kGgufTypes)
            sizes.append(ft::expectedRunGgufBytes(QFile::encodeName(run).toStdString(), type));
    for (int i = 0; i < int(std::size(kGgufTypes)); ++i) {
        const char *type = kGgufTypes[i];
        const quint64 bytes = i < sizes.size() ? sizes[i] : 0;
        const QString size = bytes ? QLocale().formattedDataSize(qint64(bytes)) : tr("size unknown");
        m_type->addItem(tr("%1 — about %2").arg(QLatin1String(type), size), QLatin1String(type));
    }
    const auto format = currentFormat();
    const int index = m_type->findData(keep);
    m_type->setCurrentIndex(index >= 0 ? index
                                       : m_type->findData(QLatin1String(
                                             format == ft::ExportFormat::Gguf ? "F16" : "Q8_0")));
    m_type->setEnabled(usesGgufType(format));
}

void ExportPage::suggestDestination()
{
    if (m_destinationEdited || runFolder().isEmpty())
        return;
    const auto format = currentFormat();
    QString name = QFileInfo(runFolder()).fileName() + QLatin1Char('-') +
                   QString::fromStdString(ft::exportFormatName(format));
    if (usesGgufType(format))
        name += QLatin1Char('-') + m_type->currentData().toString();
    const QString source = m_source->currentData().toString();
    if (source.startsWith(QLatin1String("checkpoint-")))
        name += QLatin1Char('-') + source;
    m_destination->setText(QDir(QFileInfo(runFolder()).absolutePath()).filePath(name));
}

bool ExportPage::selectRun(const QString &folder)
{
    const int i = m_run->findData(folder);
    if (i < 0)
        return false;
    m_run->setCurrentIndex(i);
    return true;
}

bool ExportPage::selectSource(const QString &name)
{
    const int i = m_source->findData(name);
    if (i >= 0)
        m_source->setCurrentIndex(i);
    return i >= 0;
}

void ExportPage::setTarget(ft::ExportFormat format, bool ollamaAdapter)
{
    for (int i = 0; i < int(std::size(kTargets)); ++i)
        if (kTargets[i].format == format && kTargets[i].ollamaAdapter == ollamaAdapter)
            m_target->setCurrentIndex(i);
}

ft::ExportFormat ExportPage::currentFormat() const
{
    return kTargets[std::max(0, m_target->currentIndex())].format;
}

bool ExportPage::setGgufType(const QString &type)
{
    const int i = m_type->findData(type);
    if (i >= 0)
        m_type->setCurrentIndex(i);
    return i >= 0;
}

void ExportPage::setDestination(const QString &folder)
{
    m_destination->setText(folder);
    m_destinationEdited = true;
}

QString ExportPage::destination() const
{
    return m_destination->text();
}

bool ExportPage::startExport()
{
    if (isExporting())
        return false;
    if (runFolder().isEmpty() || m_source->count() == 0) {
        m_status->setText(tr("Choose a run that has a final model or a checkpoint."));
        return false;
    }
    if (m_destination->text().trimmed().isEmpty()) {
        m_status->setText(tr("Choose the folder to create."));
        return false;
    }
    ft::ExportRequest request;
    request.runDir = QFile::encodeName(runFolder()).toStdString();
    const QString source = m_source->currentData().toString();
    if (source != QLatin1String("final"))
        request.source = request.runDir / QFile::encodeName(source).toStdString();
    request.format = currentFormat();
    request.ollamaAdapter = kTargets[std::max(0, m_target->currentIndex())].ollamaAdapter;
    if (usesGgufType(request.format))
        request.ggufType = m_type->currentData().toString().toStdString();
    request.outDir = QFile::encodeName(m_destination->text().trimmed()).toStdString();
    request.overwrite = m_overwrite->isChecked();
    if (!m_runner->start(request))
        return false;
    m_runningFormat = request.format;
    m_usage->clear();
    m_openFolder->setEnabled(false);
    m_status->setText(tr("Exporting…"));
    m_exportButton->setEnabled(false);
    m_progress->begin(tr("Exporting…"));
    return true;
}

void ExportPage::cancelExport()
{
    m_runner->cancel();
}

bool ExportPage::isExporting() const
{
    return m_runner->isRunning();
}

void ExportPage::waitForExport()
{
    m_runner->waitForFinished();
}

QString ExportPage::statusText() const
{
    return m_status->text();
}

QString ExportPage::usageText() const
{
    return m_usage->toPlainText();
}

void ExportPage::onExported(const ft::RunExportResult &result)
{
    m_lastFolder = QString::fromStdString(result.folder.string());
    QString status = tr("Wrote %1 (%n file(s)). Checked: %2", nullptr, int(result.files.size()))
                         .arg(m_lastFolder, QString::fromStdString(result.readBack.note));
    for (const std::string &w : result.warnings)
        status += QLatin1Char('\n') + tr("Warning: %1").arg(QString::fromStdString(w));
    QString baseModel;
    if (const auto run = std::find_if(m_runs->runs().begin(), m_runs->runs().end(),
                                      [&](const ft::RunRecord &r) { return QString::fromStdString(r.folder) == runFolder(); });
        run != m_runs->runs().end())
        baseModel = QString::fromStdString(run->baseModel);
    m_usage->setPlainText(exportUsageText(m_runningFormat, result, baseModel));
    m_openFolder->setEnabled(true);
    onEnded(status, true);
}

void ExportPage::onEnded(const QString &status, bool ok)
{
    m_progress->finish();
    m_status->setText(status);
    m_exportButton->setEnabled(m_run->count() > 0);
    Q_EMIT exportFinished(ok);
}

} // namespace ftui
