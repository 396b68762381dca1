// The Export page: a run of the project (its final model or a checkpoint), a target (PEFT
// adapter, merged Hugging Face folder, GGUF with the type chosen by expected size, llama.cpp
// LoRA, Ollama bundle) and a destination folder; the export runs in the background with
// progress and Cancel, and ends with the commands that use it and "Open folder".
#pragma once

#include <ft/runexport.h>

#include <QHash>
#include <QList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace ftui {

class ExportRunner;
class JobProgress;
class ProjectRuns;

class ExportPage : public QWidget
{
    Q_OBJECT

public:
    explicit ExportPage(ProjectRuns *runs, QWidget *parent = nullptr);
    ~ExportPage() override;

    // Picks the run whose folder is `runFolder` (false when it is not offered).
    bool selectRun(const QString &runFolder);
    // "final" or "checkpoint-N".
    bool selectSource(const QString &name);
    void setTarget(ft::ExportFormat format, bool ollamaAdapter = false);
    bool setGgufType(const QString &type);
    void setDestination(const QString &folder);
    QString destination() const;

    // Starts the export (false with the reason shown when nothing can start).
    bool startExport();
    void cancelExport();
    bool isExporting() const;
    void waitForExport();  // tests

    QString statusText() const;
    QString usageText() const;

Q_SIGNALS:
    void exportFinished(bool ok);

private:
    void refreshRuns();
    void refreshSources();
    void refreshTypes();
    void suggestDestination();
    void onExported(const ft::RunExportResult &result);
    void onEnded(const QString &status, bool ok);
    QString runFolder() const;
    ft::ExportFormat currentFormat() const;

    ProjectRuns *m_runs;
    ExportRunner *m_runner;
    QComboBox *m_run;
    QComboBox *m_source;
    QComboBox *m_target;
    QComboBox *m_type;
    QLineEdit *m_destination;
    QCheckBox *m_overwrite;
    QPushButton *m_exportButton;
    JobProgress *m_progress;
    QLabel *m_status;
    QPlainTextEdit *m_usage;
    QPushButton *m_openFolder;
    QString m_lastFolder;
    QHash<QString, QList<quint64>> m_expectedBytes;  // run folder -> per kGgufTypes entry
    bool m_destinationEdited = false;
    ft::ExportFormat m_runningFormat = ft::ExportFormat::Peft;
};

} // namespace ftui
