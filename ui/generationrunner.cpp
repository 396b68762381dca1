#include "generationrunner.h"

#include <ft/chattemplate.h>
#include <ft/error.h>
#include <ft/generation.h>
#include <ft/model.h>

#include <QMutexLocker>
#include <QtConcurrent/QtConcurrentRun>

namespace ftui {

namespace {

constexpr int kFlushIntervalMs = 50;

std::vector<int32_t> promptIds(const ft::Model &model, const GenerationRequest &request)
{
    const ft::Tokenizer *tokenizer = model.tokenizer();
    if (!tokenizer)
        ft::throwBadInput(model.info().path + ": the model has no tokenizer, so it cannot take text");
    const std::string text = request.prompt.toStdString();
    if (!request.useChatTemplate || tokenizer->chatTemplate().empty())
        return tokenizer->encode(text, true);
    ft::ChatTemplateOptions options = ft::chatTemplateOptionsFor(*tokenizer);
    options.addGenerationPrompt = true;
    const std::vector<ft::ChatMessage> messages{{"user", text}};
    return tokenizer->encode(ft::renderChatTemplate(tokenizer->chatTemplate(), messages, options),
                             false);
}

} // namespace

GenerationRunner::GenerationRunner(QObject *parent) : QObject(parent)
{
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &GenerationRunner::flushPending);
    connect(&m_watcher, &QFutureWatcher<GenerationStats>::finished, this,
            &GenerationRunner::onFinished);
}

GenerationRunner::~GenerationRunner()
{
    if (m_watcher.isRunning()) {
        m_cancel->store(true);
        m_watcher.disconnect(this);
        m_watcher.waitForFinished();
    }
}

void GenerationRunner::start(std::shared_ptr<ft::Model> model, const GenerationRequest &request)
{
    if (m_watcher.isRunning() || !model)
        return;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_pending.clear();
    const std::shared_ptr<std::atomic<bool>> cancel = m_cancel;
    // The destructor waits for the job, so `this` outlives it.
    auto job = [this, model, request, cancel]() -> GenerationStats {
        GenerationStats stats;
        try {
            ft::GenerationOptions options;
            options.maxNewTokens = request.maxNewTokens;
            options.temperature = float(request.temperature);
            options.topK = request.topK;
            options.topP = float(request.topP);
            options.seed = request.seed;
            options.useAdapter = request.useAdapter;
            options.cancel = cancel.get();
            options.onToken = [this](int32_t, const std::string &piece) {
                QMutexLocker lock(&m_pendingMutex);
                m_pending += QString::fromStdString(piece);
                return true;
            };
            const ft::GenerationResult result =
                ft::generate(*model, promptIds(*model, request), options);
            stats.tokens = int(result.ids.size());
            stats.timeToFirstTokenMs = result.timeToFirstTokenMs;
            stats.tokensPerSecond = result.tokensPerSecond;
            stats.finishReason = QString::fromLatin1(ft::finishReasonName(result.finishReason));
        } catch (const std::exception &e) {
            stats.error = QString::fromStdString(e.what());
        }
        return stats;
    };
    m_watcher.setFuture(QtConcurrent::run(job));
    m_flushTimer.start();
}

void GenerationRunner::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void GenerationRunner::flushPending()
{
    QString text;
    {
        QMutexLocker lock(&m_pendingMutex);
        text.swap(m_pending);
    }
    if (!text.isEmpty())
        Q_EMIT textArrived(text);
}

void GenerationRunner::onFinished()
{
    m_flushTimer.stop();
    flushPending();
    Q_EMIT finished(m_watcher.result());
}

} // namespace ftui
