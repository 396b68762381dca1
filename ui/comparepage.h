// The Compare page: the base model and a tuned one answer the same prompt side by side, streamed
// token by token with the same decoding settings and seed. The tuned side is a run's adapter
// attached to the session's model (one copy of the base weights; each generation chooses
// whether to apply it) or a merged model folder. A blind mode hides and shuffles the sides and
// stores the person's verdict in a project (ft/ratingstore.h), shown as a win rate. Besides a
// free prompt, a row of the open project's validation split can be the prompt (its user turns),
// with the row's answer shown next to base and tuned as the reference.
#pragma once

#include <ft/ratingstore.h>

#include "validationrowpicker.h"

#include <QFutureWatcher>
#include <QHash>
#include <QSet>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace ft {
class Model;
}

namespace ftui {

class GenerationRunner;
struct GenerationStats;
class StudioSession;

class ComparePage : public QWidget
{
    Q_OBJECT

public:
    explicit ComparePage(StudioSession *session, QWidget *parent = nullptr);
    ~ComparePage() override;

    // A finished run offered as the tuned side (its adapter or merged-model folder).
    void addRun(const QString &name, const QString &folder);
    // The offered runs, replaced (name, folder; the project's run list), the choice kept.
    void setRuns(const QList<QPair<QString, QString>> &runs);
    int runCount() const;
    // Uses `folder` as the tuned side: a PEFT adapter folder is attached to the session's model,
    // a model folder is opened (in the background). Returns false (and shows why) when it fails.
    bool setTunedFolder(const QString &folder);
    QString tunedFolder() const { return m_tunedFolder; }
    bool hasTuned() const;
    bool isLoadingTuned() const;

    // Where verdicts are stored (a project file, created when missing).
    void setProjectFile(const QString &file);
    QString projectFile() const { return m_projectFile; }

    void setPrompt(const QString &prompt);
    QString prompt() const;

    // The open project's validation rows (all its split datasets, at most kMaxValidationRows),
    // read again on each call; the picker says why it is disabled when there are none.
    static constexpr int kMaxValidationRows = ValidationRowPicker::kMaxRows;
    void refreshValidationRows();
    int validationRowCount() const;
    // Makes validation row `row` (0-based, in the picker's order) the prompt; false if absent.
    bool chooseValidationRow(int row);
    // The chosen row's answer; empty with a free prompt.
    QString referenceText() const;

    void setBlind(bool blind);
    bool isBlind() const;
    void compare();
    void cancel();
    bool isGenerating() const;
    // The two panes as shown: left is A (blind) or Base; right is B or Tuned.
    QString leftText() const;
    QString rightText() const;
    bool tunedOnLeft() const { return m_tunedLeft; }
    // The seed of the last comparison: the seed box's, or in blind mode a fresh one.
    quint64 lastSeed() const { return m_usedSeed; }
    // "A", "B" or "tie"; stores the verdict with `note`. False when there is nothing to rate.
    bool vote(const QString &vote, const QString &note = QString());
    ft::WinRate winRate() const;
    QString winRateText() const;
    // The project's blind votes with a winner as a new preference dataset (ties left out; named
    // after the run and the date; every row in the train split) for stage dpo / orpo. Returns its
    // name, or "" (and shows why) when there is nothing to make it from.
    QString makePreferenceDataset();

    enum class ErrorDisplay { Dialog, SignalOnly };
    void setErrorDisplay(ErrorDisplay display) { m_errorDisplay = display; }

Q_SIGNALS:
    void comparisonFinished();
    void tunedReady();
    void voteStored(qint64 comparisonId);
    // A dataset was added to the project (the Data page lists it).
    void preferenceDatasetCreated(const QString &name);
    void errorOccurred(const QString &message);

private:
    QWidget *buildSourceBar();
    QWidget *buildPanes();
    QWidget *buildVoteBar();
    void onModelChanged();
    void onRunChosen(int index);
    void onValidationRowChosen(int index);
    void onPromptEdited();
    void chooseFolder();
    void chooseProject();
    void onSideFinished(bool tuned, const GenerationStats &stats);
    void updateTitles();
    void updateState();
    void updateWinRate();
    void showError(const QString &message);

    StudioSession *m_session;
    ErrorDisplay m_errorDisplay = ErrorDisplay::Dialog;
    QString m_tunedFolder;
    QString m_tunedName;
    std::shared_ptr<ft::Model> m_mergedModel;  // a merged tuned model; null for an adapter
    bool m_adapterAttached = false;
    QFutureWatcher<std::shared_ptr<ft::Model>> m_mergedLoader;
    std::shared_ptr<QString> m_mergedError;
    QString m_projectFile;

    GenerationRunner *m_baseRunner = nullptr;
    GenerationRunner *m_tunedRunner = nullptr;
    bool m_tunedLeft = false;
    bool m_comparedBlind = false;
    quint64 m_usedSeed = 0;
    // Per prompt and tuned side: the seeds whose answers were shown with their names on.
    QHash<QString, QSet<quint64>> m_seedsShownUnblinded;
    bool m_revealed = true;
    bool m_rated = true;
    int m_pending = 0;
    QString m_prompt;
    QString m_rowPrompt;  // the chosen validation row's prompt; empty with a free prompt
    bool m_settingPrompt = false;
    QString m_baseText, m_tunedText;
    QString m_shownLeft, m_shownRight;  // what the two views were last given
    QString m_baseStats, m_tunedStats;

    QComboBox *m_runs = nullptr;
    QLabel *m_tunedLabel = nullptr;
    QPlainTextEdit *m_promptEdit = nullptr;
    ValidationRowPicker *m_validationRows = nullptr;
    QWidget *m_referenceCard = nullptr;
    QPlainTextEdit *m_reference = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QSpinBox *m_seed = nullptr;
    QCheckBox *m_blind = nullptr;
    QPushButton *m_compare = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_leftTitle = nullptr, *m_rightTitle = nullptr;
    QLabel *m_leftStats = nullptr, *m_rightStats = nullptr;
    QPlainTextEdit *m_left = nullptr, *m_right = nullptr;
    QWidget *m_voteBar = nullptr;
    QPushButton *m_voteA = nullptr, *m_voteB = nullptr, *m_voteTie = nullptr;
    QLineEdit *m_note = nullptr;
    QLabel *m_winRate = nullptr;
    QLabel *m_projectLabel = nullptr;
    QPushButton *m_makeDataset = nullptr;
};

} // namespace ftui
