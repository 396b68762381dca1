// Generation through the public API on the real tiny-random-llama-2 folder: streaming callback,
// cancellation (callback and atomic flag), EOS handling, and that streamed pieces add up to the
// decoded text.
#include "testfixtures.h"

#include "ft/error.h"
#include "ft/generation.h"
#include "ft/model.h"
#include "model/modelimpl.h"
#include "model/prompttuningmodel.h"

#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

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

    // A batch of prompts of different lengths gives every row what it gets alone: greedy and
    // seeded sampling, rows ending early (an EOS that one row meets, a stop string) and leaving
    // the batch, and prompt tuning's virtual tokens in front of left-padded rows.
    void batchEqualsOneByOne_data()
    {
        QTest::addColumn<float>("temperature");
        QTest::addColumn<bool>("promptTuning");
        QTest::newRow("greedy") << 0.0f << false;
        QTest::newRow("sampled") << 0.9f << false;
        QTest::newRow("greedy, prompt tuning") << 0.0f << true;
    }
    void batchEqualsOneByOne()
    {
        QFETCH(float, temperature);
        QFETCH(bool, promptTuning);
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        auto model = ft::Model::open(path.toStdString());
        QTemporaryDir dir;
        if (promptTuning) {
            torch::manual_seed(5);
            ft::Model::Impl &impl = model->impl();
            ft::PromptTuningConfig config;
            config.numVirtualTokens = 3;
            ft::PromptTuningModel pt(impl.config, impl.weights, config, nullptr);
            pt.save(dir.filePath("pt").toStdString());
            pt.detach();
            model->attachAdapter(dir.filePath("pt").toStdString());
        }
        const std::vector<std::vector<int32_t>> prompts{
            {1, 2185, 688}, {1}, {1, 450, 1494, 526, 2999, 17, 42, 1000, 7, 8, 9}, {1, 5, 6, 7, 8}, {1, 2185}};
        ft::GenerationOptions options;
        options.maxNewTokens = 14;
        options.temperature = temperature;
        options.topK = temperature > 0 ? 40 : 0;
        options.seed = 11;
        options.stopAtEos = true;
        // An EOS that the second row's greedy answer meets after a few tokens.
        {
            ft::GenerationOptions probe = options;
            probe.stopAtEos = false;
            const ft::GenerationResult r = ft::generate(*model, prompts[1], probe);
            options.eosIds = {r.ids.at(4)};
        }
        options.stopStrings = {"zzq"};
        const std::vector<ft::GenerationResult> batch = ft::generateBatch(*model, prompts, options);
        QCOMPARE(batch.size(), prompts.size());
        bool someEndedEarly = false, someRanFull = false;
        for (size_t i = 0; i < prompts.size(); ++i) {
            const ft::GenerationResult alone = ft::generate(*model, prompts[i], options);
            QCOMPARE(batch[i].ids, alone.ids);
            QCOMPARE(batch[i].text, alone.text);
            QCOMPARE(int(batch[i].finishReason), int(alone.finishReason));
            someEndedEarly = someEndedEarly || alone.ids.size() < size_t(options.maxNewTokens);
            someRanFull = someRanFull || alone.ids.size() == size_t(options.maxNewTokens);
        }
        QVERIFY(someEndedEarly);
        QVERIFY(someRanFull);
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
