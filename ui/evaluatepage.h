// The Evaluate page: choose the tuned run, run a benchmark (folder or file, shots, limit per
// subject) on base and tuned, run the domain test on a project dataset's validation or test
// split, both in the background with progress, ETA and cancel (EvaluationRunner); the matrix,
// the changed rows and the per-category chart (EvaluationMatrixView) read back from the project,
// so they are there again after a restart; "Compare with" adds other runs' columns beside the
// chosen one (ft::evaluationMatrix of several runs); "Save report…" writes the HTML (or PDF) report.
#pragma once

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QToolButton;
class QPushButton;
class QSpinBox;

namespace ftui {

class EvaluationMatrixView;
class EvaluationRunner;
class JobProgress;
class StudioSession;

class EvaluatePage : public QWidget
{
    Q_OBJECT

public:
    explicit EvaluatePage(StudioSession *session, QWidget *parent = nullptr);
    ~EvaluatePage() override;

    // The runs offered (finished ones and those with a checkpoint) and the project's split
    // datasets, read again; then the matrix of the chosen run.
    void refresh();
    int runCount() const;
    bool chooseRun(int64_t runId);
    std::optional<int64_t> chosenRun() const;
    // Other runs shown beside the chosen one (checked in the "Compare with" menu); false when
    // one of them is not offered.
    bool setComparedRuns(const std::vector<int64_t> &runIds);
    // The runs the matrix and the report show: the chosen one first, then the compared ones.
    std::vector<int64_t> shownRuns() const;

    void setBenchmarkPath(const QString &path);
    void setShots(int shots);
    void setLimitPerSubject(int limit);
    void setDomainRowLimit(int rows);
    void setMaxNewTokens(int tokens);
    bool chooseDataset(const QString &name);

    // Start in the background; false (with the reason in the status line) when something is
    // missing or a job runs.
    bool runBenchmark();
    bool runDomainTest();
    void cancel();
    bool isRunning() const;
    void waitForFinished();  // tests

    // Writes the report of the shown runs: .pdf through Qt's PDF writer, else HTML.
    bool saveReport(const QString &path, QString *error = nullptr);

    EvaluationMatrixView *matrixView() const { return m_view; }
    QString statusText() const;

Q_SIGNALS:
    void evaluationFinished();
    void evaluationFailed(const QString &message);
    void evaluationCancelled();

private:
    void reloadMatrix();
    void updateButtons();
    QString adapterFolder() const;
    void chooseSaveReport();
    void fillCompareMenu();

    StudioSession *m_session = nullptr;
    QComboBox *m_runs = nullptr;
    QToolButton *m_compare = nullptr;
    QMenu *m_compareMenu = nullptr;
    std::vector<int64_t> m_compared;  // checked in m_compareMenu, in the runs' order
    QLineEdit *m_benchmarkPath = nullptr;
    QSpinBox *m_shots = nullptr;
    QSpinBox *m_limit = nullptr;
    QPushButton *m_runBenchmark = nullptr;
    QComboBox *m_dataset = nullptr;
    QComboBox *m_split = nullptr;
    QSpinBox *m_rowLimit = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QPushButton *m_runDomain = nullptr;
    QPushButton *m_saveReport = nullptr;
    JobProgress *m_progress = nullptr;
    QLabel *m_status = nullptr;
    EvaluationMatrixView *m_view = nullptr;
    EvaluationRunner *m_runner = nullptr;
};

} // namespace ftui
