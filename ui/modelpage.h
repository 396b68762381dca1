// The Model page: open a Hugging Face folder or a GGUF file (off the GUI thread, with progress
// and Cancel) and show what it is. The opened model goes to the StudioSession.
#pragma once

#include <QWidget>

#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QStackedWidget;

namespace ft {
class Model;
}

namespace ftui {

class MemoryEstimateCard;
class ModelLoader;
class ModelSummaryView;
class StudioSession;
class TryPanel;
class WelcomeView;

class ModelPage : public QWidget
{
    Q_OBJECT

public:
    // Dialog: errors pop up a message box (and errorOccurred is emitted); SignalOnly: only the
    // signal (tests, screenshots).
    enum class ErrorDisplay { Dialog, SignalOnly };

    explicit ModelPage(StudioSession *session, QWidget *parent = nullptr);
    ~ModelPage() override;

    // Starts loading `path` (a model folder or a .gguf file); a running load is cancelled.
    void openModel(const QString &path);
    void chooseModelFolder();
    void chooseGgufFile();
    void cancelLoading();

    bool isLoading() const;
    void setErrorDisplay(ErrorDisplay display) { m_errorDisplay = display; }
    ModelSummaryView *summaryView() const { return m_summary; }
    TryPanel *tryPanel() const { return m_tryPanel; }
    MemoryEstimateCard *memoryCard() const { return m_memory; }
    WelcomeView *welcomeView() const { return m_welcome; }

    static QString openHint();

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void loadingChanged(bool loading);

private:
    QWidget *createHeader();
    QWidget *createProgressRow();
    QWidget *createEmptyState();
    void showModel();
    void updateMemory();
    void reportError(const QString &path, const QString &message);
    void onStarted(const QString &path);
    void onProgress(double fraction);
    void onLoaded(const std::shared_ptr<ft::Model> &model, const QString &path);
    void onFailed(const QString &path, const QString &message);
    void onCancelled();
    void finishLoading();
    QString startDirectory() const;
    void rememberDirectory(const QString &path);

    StudioSession *m_session = nullptr;
    ModelLoader *m_loader = nullptr;
    ErrorDisplay m_errorDisplay = ErrorDisplay::Dialog;
    QLabel *m_title = nullptr;
    QLabel *m_path = nullptr;
    QWidget *m_progressRow = nullptr;
    WelcomeView *m_welcome = nullptr;
    QLabel *m_progressText = nullptr;
    QProgressBar *m_progressBar = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QStackedWidget *m_body = nullptr;
    QWidget *m_emptyState = nullptr;
    QScrollArea *m_summaryScroll = nullptr;
    ModelSummaryView *m_summary = nullptr;
    TryPanel *m_tryPanel = nullptr;
    MemoryEstimateCard *m_memory = nullptr;
};

} // namespace ftui
