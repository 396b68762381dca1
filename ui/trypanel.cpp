#include "trypanel.h"

#include "generationrunner.h"
#include "studiosession.h"
#include "theme.h"

#include <ft/model.h>
#include <ft/tokenizer.h>

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ftui {

TryPanel::TryPanel(StudioSession *session, QWidget *parent)
    : QFrame(parent), m_session(session), m_runner(new GenerationRunner(this))
{
    setObjectName(QLatin1String(theme::kCardName));
    setStyleSheet(theme::cardStyleSheet());

    auto *title = new QLabel(tr("Try the model").toUpper());
    title->setFont(theme::scaledFont(font(), 0.82, QFont::Bold));
    theme::makeSecondary(title);
    auto *hint = new QLabel(tr("Ask the base model something from your domain before you tune it."));
    theme::makeSecondary(hint);

    m_prompt = new QPlainTextEdit;
    m_prompt->setObjectName(QStringLiteral("tryPrompt"));
    m_prompt->setPlaceholderText(tr("Type a prompt, then press Ctrl+Enter"));
    m_prompt->setFixedHeight(72);
    m_output = new QPlainTextEdit;
    m_output->setObjectName(QStringLiteral("tryOutput"));
    m_output->setReadOnly(true);
    m_output->setMinimumHeight(120);
    m_output->setPlaceholderText(tr("The answer streams here."));
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("tryStatus"));
    theme::makeSecondary(m_status);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 16, 20, 18);
    layout->setSpacing(10);
    layout->addWidget(title);
    layout->addWidget(hint);
    layout->addWidget(m_prompt);
    layout->addWidget(createControls());
    layout->addWidget(m_output, 1);
    layout->addWidget(m_status);

    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), m_prompt);
    connect(shortcut, &QShortcut::activated, this, &TryPanel::generate);
    connect(m_runner, &GenerationRunner::textArrived, this, &TryPanel::onTextArrived);
    connect(m_runner, &GenerationRunner::finished, this, &TryPanel::onFinished);
    connect(m_session, &StudioSession::modelChanged, this, &TryPanel::onModelChanged);
    onModelChanged();
}

QWidget *TryPanel::createControls()
{
    m_useChatTemplate = new QCheckBox(tr("Use the chat template"));
    m_useChatTemplate->setToolTip(tr("Send the prompt as a user turn, formatted as the model was "
                                     "trained to see conversations"));
    m_maxTokens = new QSpinBox;
    m_maxTokens->setRange(1, 4096);
    m_maxTokens->setValue(128);
    m_maxTokens->setToolTip(tr("The most tokens to generate"));
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(2);
    m_temperature->setToolTip(tr("0 picks the most likely token every time (greedy)"));
    m_generateButton = new QPushButton(tr("Generate"));
    m_generateButton->setDefault(true);
    m_stopButton = new QPushButton(tr("Stop"));
    connect(m_generateButton, &QPushButton::clicked, this, &TryPanel::generate);
    connect(m_stopButton, &QPushButton::clicked, this, &TryPanel::stop);

    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(12);
    layout->addWidget(m_useChatTemplate);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Max tokens")));
    layout->addWidget(m_maxTokens);
    layout->addWidget(new QLabel(tr("Temperature")));
    layout->addWidget(m_temperature);
    layout->addStretch(1);
    layout->addWidget(m_stopButton);
    layout->addWidget(m_generateButton);
    return row;
}

void TryPanel::setPrompt(const QString &prompt)
{
    m_prompt->setPlainText(prompt);
}

void TryPanel::generate()
{
    const auto model = m_session->model();
    if (!model || m_runner->isRunning() || m_prompt->toPlainText().trimmed().isEmpty())
        return;
    GenerationRequest request;
    request.prompt = m_prompt->toPlainText();
    request.useChatTemplate = m_useChatTemplate->isChecked();
    request.maxNewTokens = m_maxTokens->value();
    request.temperature = m_temperature->value();
    request.useAdapter = false;  // the opened model as it is; Compare attaches adapters
    m_output->clear();
    m_status->setText(tr("Generating…"));
    m_runner->start(model, request);
    updateButtons();
}

void TryPanel::stop()
{
    m_runner->cancel();
}

QString TryPanel::output() const
{
    return m_output->toPlainText();
}

QString TryPanel::status() const
{
    return m_status->text();
}

bool TryPanel::isGenerating() const
{
    return m_runner->isRunning();
}

void TryPanel::onModelChanged()
{
    const auto model = m_session->model();
    const bool hasTemplate =
        model && model->tokenizer() && !model->tokenizer()->chatTemplate().empty();
    m_useChatTemplate->setEnabled(hasTemplate);
    m_useChatTemplate->setChecked(hasTemplate);
    const bool canTakeText = model && model->tokenizer();
    m_prompt->setEnabled(canTakeText);
    m_status->setText(model && !canTakeText ? tr("This model has no tokenizer, so it cannot take text.")
                                            : QString());
    m_output->clear();
    updateButtons();
}

void TryPanel::onTextArrived(const QString &text)
{
    m_output->moveCursor(QTextCursor::End);
    m_output->insertPlainText(text);
}

void TryPanel::onFinished(const GenerationStats &stats)
{
    if (!stats.error.isEmpty())
        m_status->setText(tr("Could not generate: %1").arg(stats.error));
    else
        m_status->setText(tr("%1 tokens · first token after %2 ms · %3 tokens/s · %4")
                              .arg(stats.tokens)
                              .arg(stats.timeToFirstTokenMs, 0, 'f', 0)
                              .arg(stats.tokensPerSecond, 0, 'f', 1)
                              .arg(stats.finishReason));
    updateButtons();
    Q_EMIT generationFinished();
}

void TryPanel::updateButtons()
{
    const bool running = m_runner->isRunning();
    const auto model = m_session->model();
    m_generateButton->setEnabled(!running && model && model->tokenizer());
    m_stopButton->setEnabled(running);
}

} // namespace ftui
