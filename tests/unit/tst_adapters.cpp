// Adapters on a shared base (ft::Model::attachAdapter) on the real tiny-random-llama-2 folder:
// the base output with useAdapter = false is bit-identical to the model without adapter and the
// base weights do not change; IA3 and prompt-tuning adapters change the output; base and tuned
// generation running at the same time on two threads give the tokens each gives alone; an
// unknown peft_type is refused naming the file.
#include "testfixtures.h"

#include "ft/error.h"
#include "ft/generation.h"
#include "ft/model.h"
#include "model/ia3model.h"
#include "model/modelimpl.h"
#include "model/prompttuningmodel.h"

#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <thread>

namespace fs = std::filesystem;

class TestAdapters : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ft::Model> m_model;
    QTemporaryDir m_dir;
    fs::path m_ia3, m_prompt;
    const std::vector<int32_t> m_promptIds{1, 2185, 688, 310};
    std::map<std::string, torch::Tensor> m_before;  // base weights before any adapter

    std::vector<int32_t> generate(bool useAdapter) const
    {
        ft::GenerationOptions options;
        options.maxNewTokens = 64;
        options.stopAtEos = false;
        options.useAdapter = useAdapter;
        return ft::generate(*m_model, m_promptIds, options).ids;
    }

    void checkBaseUntouched()
    {
        for (const auto &[name, tensor] : m_model->impl().weights.named)
            QVERIFY2(torch::equal(tensor, m_before.at(name)), name.c_str());
    }

private Q_SLOTS:
    void initTestCase()
    {
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        m_model = ft::Model::open(path.toStdString());
        for (const auto &[name, tensor] : m_model->impl().weights.named)
            m_before[name] = tensor.clone();
        // Adapters that visibly change the model: random IA3 vectors, random virtual tokens.
        ft::Model::Impl &impl = m_model->impl();
        torch::manual_seed(7);
        m_ia3 = fs::path(m_dir.path().toStdString()) / "ia3";
        {
            ft::Ia3Config config;
            config.initIa3Weights = false;
            ft::Ia3Model ia3(impl.config, impl.weights, config);
            ia3.save(m_ia3);
            ia3.detach();
        }
        m_prompt = fs::path(m_dir.path().toStdString()) / "prompt";
        {
            ft::PromptTuningConfig config;
            config.numVirtualTokens = 5;
            ft::PromptTuningModel pt(impl.config, impl.weights, config, nullptr);
            pt.save(m_prompt);
            pt.detach();
        }
        QVERIFY(!m_model->hasAdapter());
    }

    void baseStaysBitIdentical_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("ia3") << "ia3";
        QTest::newRow("prompt") << "prompt";
    }
    void baseStaysBitIdentical()
    {
        QFETCH(QString, kind);
        const auto plain = m_model->allLogits(m_promptIds);
        m_model->attachAdapter(kind == "ia3" ? m_ia3 : m_prompt);
        QCOMPARE(QString::fromStdString(m_model->adapterType()),
                 kind == "ia3" ? QString("IA3") : QString("PROMPT_TUNING"));
        QVERIFY(m_model->allLogits(m_promptIds, false) == plain);
        const auto tuned = m_model->allLogits(m_promptIds, true);
        QCOMPARE(tuned.size(), plain.size());
        float maxDiff = 0;
        for (size_t i = 0; i < plain.size(); ++i)
            maxDiff = std::max(maxDiff, std::abs(tuned[i] - plain[i]));
        QVERIFY2(maxDiff > 1e-3f, "the adapter changed nothing");
        checkBaseUntouched();
        m_model->detachAdapter();
        QVERIFY(!m_model->hasAdapter());
        QVERIFY(m_model->allLogits(m_promptIds, true) == plain);
    }

    void concurrentBaseAndTuned_data() { baseStaysBitIdentical_data(); }
    void concurrentBaseAndTuned()
    {
        QFETCH(QString, kind);
        const std::vector<int32_t> baseAlone = generate(false);
        m_model->attachAdapter(kind == "ia3" ? m_ia3 : m_prompt);
        const std::vector<int32_t> tunedAlone = generate(true);
        QCOMPARE(generate(false), baseAlone);
        QVERIFY(tunedAlone != baseAlone);
        for (int round = 0; round < 4; ++round) {
            std::vector<int32_t> base, tuned;
            std::thread a([&] { base = generate(false); });
            std::thread b([&] { tuned = generate(true); });
            a.join();
            b.join();
            QCOMPARE(base, baseAlone);
            QCOMPARE(tuned, tunedAlone);
        }
        m_model->detachAdapter();
        checkBaseUntouched();
    }

    void unknownTypeRefused()
    {
        const fs::path folder = fs::path(m_dir.path().toStdString()) / "loha";
        fs::create_directories(folder);
        std::ofstream(folder / "adapter_config.json") << R"({"peft_type": "LOHA"})";
        try {
            m_model->attachAdapter(folder);
            QFAIL("an unknown peft_type was accepted");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
            const std::string message = e.what();
            QVERIFY2(message.find("adapter_config.json") != std::string::npos, e.what());
            QVERIFY2(message.find("LOHA") != std::string::npos, e.what());
        }
        QVERIFY(!m_model->hasAdapter());
    }
};

QTEST_APPLESS_MAIN(TestAdapters)
#include "tst_adapters.moc"
