// "Try the model": a prompt box under the model summary that streams the opened model's answer,
// so a person can see what the base model does before tuning it.
#pragma once

#include <QFrame>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace ftui {

class GenerationRunner;
struct GenerationStats;
class StudioSession;

class TryPanel : public QFrame
{
    Q_OBJECT

public:
    explicit TryPanel(StudioSession *session, QWidget *parent = nullptr);

    void setPrompt(const QString &prompt);
    void generate();
    void stop();
    QString output() const;
    QString status() const;
    bool isGenerating() const;

Q_SIGNALS:
    void generationFinished();

private:
    QWidget *createControls();
    void onModelChanged();
    void onTextArrived(const QString &text);
    void onFinished(const GenerationStats &stats);
    void updateButtons();

    StudioSession *m_session = nullptr;
    GenerationRunner *m_runner = nullptr;
    QPlainTextEdit *m_prompt = nullptr;
    QPlainTextEdit *m_output = nullptr;
    QCheckBox *m_useChatTemplate = nullptr;
    QSpinBox *m_maxTokens = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QPushButton *m_generateButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace ftui
