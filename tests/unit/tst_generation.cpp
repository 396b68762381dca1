// Generation through the public API on the real tiny-random-llama-2 folder: streaming callback,
// cancellation (callback and atomic flag), EOS handling, and that streamed pieces add up to the
// decoded text.
#include "testfixtures.h"

#include "ft/error.h"
#include "ft/generation.h"
#include "ft/model.h"

#include <QTest>

#include <atomic>
#include <memory>

class TestGeneration : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ft::Model> m_model;
    const std::vector<int32_t> m_prompt{1, 2185, 688};

private Q_SLOTS:
    void initTestCase()
    {
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        m_model = ft::Model::open(path.toStdString());
        QVERIFY(m_model->tokenizer());
    }

    void streamsEveryToken()
    {
        ft::GenerationOptions options;
        options.maxNewTokens = 12;
        options.stopAtEos = false;
        std::vector<int32_t> seen;
        std::string streamed;
        options.onToken = [&](int32_t id, const std::string &piece) {
            if (id >= 0)
                seen.push_back(id);
            streamed += piece;
            return true;
        };
        const ft::GenerationResult result = ft::generate(*m_model, m_prompt, options);
        QCOMPARE(result.ids.size(), size_t(12));
        QCOMPARE(seen, result.ids);
        QCOMPARE(streamed, result.text);
        QCOMPARE(result.text, m_model->tokenizer()->decode(result.ids, true));
        QCOMPARE(result.finishReason, ft::FinishReason::Length);
    }

    void callbackCancels()
    {
        ft::GenerationOptions options;
        options.maxNewTokens = 50;
        options.stopAtEos = false;
        int calls = 0;
        options.onToken = [&](int32_t id, const std::string &) { return id < 0 || ++calls < 3; };
        const ft::GenerationResult result = ft::generate(*m_model, m_prompt, options);
        QCOMPARE(result.ids.size(), size_t(3));
        QCOMPARE(result.finishReason, ft::FinishReason::Cancelled);
    }

    void atomicFlagCancels()
    {
        std::atomic<bool> cancel{false};
        ft::GenerationOptions options;
        options.maxNewTokens = 50;
        options.stopAtEos = false;
        options.cancel = &cancel;
        options.onToken = [&](int32_t id, const std::string &) {
            if (id >= 0)
                cancel = true;  // as another thread would
            return true;
        };
        const ft::GenerationResult result = ft::generate(*m_model, m_prompt, options);
        QCOMPARE(result.ids.size(), size_t(1));
        QCOMPARE(result.finishReason, ft::FinishReason::Cancelled);
    }

    void stopsAtEos()
    {
        // Take the first greedy token and declare it the EOS: generation stops before it.
        ft::GenerationOptions probe;
        probe.maxNewTokens = 1;
        probe.stopAtEos = false;
        const int32_t first = ft::generate(*m_model, m_prompt, probe).ids.at(0);
        ft::GenerationOptions options;
        options.maxNewTokens = 10;
        options.eosIds = {first};
        const ft::GenerationResult result = ft::generate(*m_model, m_prompt, options);
        QVERIFY(result.ids.empty());
        QCOMPARE(result.finishReason, ft::FinishReason::Eos);
    }

    void emptyPromptIsBadInput()
    {
        try {
            ft::generate(*m_model, {}, ft::GenerationOptions());
            QFAIL("expected an error");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
        }
    }
};

QTEST_APPLESS_MAIN(TestGeneration)
#include "tst_generation.moc"
