// Training building blocks on a tiny random Llama built in memory: the causal-LM loss, the
// learning-rate schedules, the attention padding mask, LoRA attach / save / load / merge, and a
// LoRA fine-tune that overfits a few fixed rows. Parity with peft / torch: tests/interop.
#include "model/decoder.h"
#include "model/loramodel.h"
#include "train/adamwfactory.h"
#include "train/causallmloss.h"
#include "train/lrschedule.h"
#include "train/trainstep.h"

#include "ft/error.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include <cmath>

using namespace ft;

namespace {

struct TinyModel
{
    ModelConfig config;
    DecoderWeights weights;
    std::unique_ptr<Decoder> decoder;
};

std::unique_ptr<TinyModel> tinyLlama(uint64_t seed = 0)
{
    torch::manual_seed(seed);
    auto m = std::make_unique<TinyModel>();
    ModelConfig &c = m->config;
    c.family = ArchitectureFamily::Llama;
    c.modelType = "llama";
    c.hiddenSize = 32;
    c.intermediateSize = 64;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.headDim = 8;
    c.vocabSize = 48;
    c.maxPositions = 128;
    DecoderWeights &w = m->weights;
    auto add = [&](const std::string &name, std::vector<int64_t> shape, bool norm = false) {
        torch::Tensor t = norm ? torch::ones(shape) : torch::randn(shape) * 0.2;
        w.named[name] = t;
        w.storedDtypes[name] = "F32";
        return t;
    };
    auto proj = [&](const std::string &name, int64_t out, int64_t in) {
        Projection p;
        p.weight = add(name + ".weight", {out, in});
        return p;
    };
    const int64_t C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize;
    w.embed = add("model.embed_tokens.weight", {V, C});
    for (int i = 0; i < c.numLayers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        LayerWeights l;
        l.inputNorm = add(p + "input_layernorm.weight", {C}, true);
        l.postAttentionNorm = add(p + "post_attention_layernorm.weight", {C}, true);
        l.q = proj(p + "self_attn.q_proj", 32, C);
        l.k = proj(p + "self_attn.k_proj", 16, C);
        l.v = proj(p + "self_attn.v_proj", 16, C);
        l.o = proj(p + "self_attn.o_proj", C, 32);
        l.gate = proj(p + "mlp.gate_proj", I, C);
        l.up = proj(p + "mlp.up_proj", I, C);
        l.down = proj(p + "mlp.down_proj", C, I);
        w.layers.push_back(std::move(l));
    }
    w.finalNorm = add("model.norm.weight", {C}, true);
    w.lmHead = proj("lm_head", V, C);
    // Logits of a real model's scale: with 0.2 the RMS-normed hidden state could not push any
    // token's probability near 1, and the overfit test would stall at a loss floor (~0.18).
    w.lmHead.weight.mul_(2.5);
    m->decoder = std::make_unique<Decoder>(m->config, m->weights);
    return m;
}

torch::Tensor logitsOf(const Decoder &decoder, const torch::Tensor &ids,
                       const torch::Tensor &mask = {}, const torch::Tensor &positions = {})
{
    torch::NoGradGuard noGrad;
    ForwardInputs in;
    in.ids = ids;
    in.allPositions = true;
    in.attentionMask = mask;
    in.positions = positions;
    return decoder.forward(in);
}

double maxDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

LoraConfig allLinear(int r = 4, double alpha = 8)
{
    LoraConfig c;
    c.r = r;
    c.alpha = alpha;
    c.targetRegex = "all-linear";
    return c;
}

} // namespace

class TrainTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lossMatchesShiftedCrossEntropy()
    {
        torch::manual_seed(1);
        torch::Tensor logits = torch::randn({2, 5, 7});
        torch::Tensor labels = torch::tensor({3, 1, 4, 1, 5, 2, 6, -100, -100, 0}).view({2, 5});
        double sum = 0.0;
        int count = 0;
        for (int b = 0; b < 2; ++b)
            for (int t = 0; t + 1 < 5; ++t) {
                const int64_t y = labels[b][t + 1].item<int64_t>();
                if (y == -100)
                    continue;
                sum -= torch::log_softmax(logits[b][t], 0)[y].item<double>();
                ++count;
            }
        QCOMPARE(countLossTokens(labels), int64_t(count));
        QVERIFY(std::abs(causalLmLoss(logits, labels).item<double>() - sum / count) < 1e-5);
        QVERIFY(std::isnan(causalLmLoss(logits, torch::full({2, 5}, -100, torch::kInt64))
                               .item<double>()));
    }

    void schedulesFollowTransformersFormulas()
    {
        LrSchedule linear(LrSchedule::Kind::Linear, 2, 4);
        const double expected[] = {0.0, 0.5, 1.0, 0.5, 0.0};
        for (int s = 0; s < 5; ++s)
            QCOMPARE(linear.factor(s), expected[s]);
        LrSchedule cosine(LrSchedule::Kind::Cosine, 1, 5);
        QCOMPARE(cosine.factor(0), 0.0);
        QCOMPARE(cosine.factor(1), 1.0);
        QVERIFY(std::abs(cosine.factor(3) - 0.5) < 1e-12);  // halfway through the decay
        QVERIFY(std::abs(cosine.factor(5)) < 1e-12);
        LrSchedule constant(LrSchedule::Kind::ConstantWithWarmup, 4, 10);
        QCOMPARE(constant.factor(1), 0.25);
        QCOMPARE(constant.factor(7), 1.0);
        QCOMPARE(LrSchedule::warmupStepsFor(0.1, 95), int64_t(10));  // ceil(9.5)
        QCOMPARE(LrSchedule::warmupStepsFor(0.0, 95), int64_t(0));
        QCOMPARE(LrSchedule::warmupStepsFor(7, 95), int64_t(7));
        QVERIFY_THROWS_EXCEPTION(Error, LrSchedule::parseKind("polynomial"));
    }

    void paddingMaskHidesPaddedKeys()
    {
        auto m = tinyLlama();
        torch::Tensor ids = torch::tensor({4, 9, 16}).view({1, 3});
        torch::Tensor plain = logitsOf(*m->decoder, ids);
        // Left padding: two pad tokens first, positions counted from the first real token.
        torch::Tensor padded = torch::tensor({0, 0, 4, 9, 16}).view({1, 5});
        torch::Tensor mask = torch::tensor({0, 0, 1, 1, 1}).view({1, 5});
        torch::Tensor positions = torch::tensor({0, 0, 0, 1, 2}).view({1, 5});
        torch::Tensor masked = logitsOf(*m->decoder, padded, mask, positions);
        QVERIFY(maxDiff(masked.narrow(1, 2, 3), plain) < 1e-5);
        QVERIFY(!torch::isnan(masked).any().item<bool>());
        torch::Tensor unmasked = logitsOf(*m->decoder, padded, {}, positions);
        QVERIFY(maxDiff(unmasked.narrow(1, 2, 3), plain) > 1e-3);
    }

    void loraTargetsAndCounts()
    {
        auto m = tinyLlama();
        LoraConfig c;
        c.r = 4;
        c.targetModules = {"q_proj", "down_proj"};
        c.layersToTransform = {1};
        LoraModel lora(m->config, m->weights, c);
        QCOMPARE(int(lora.targets().size()), 2);
        QCOMPARE(lora.targets()[0].module, std::string("model.layers.1.self_attn.q_proj"));
        // q: r * (32 + 32); down: r * (64 + 32)
        QCOMPARE(lora.trainableParameterCount(), int64_t(4 * (32 + 32) + 4 * (64 + 32)));
        QVERIFY_THROWS_EXCEPTION(Error, LoraModel(m->config, m->weights, c));  // already attached
        lora.detach();
        LoraConfig none;
        none.targetModules = {"c_attn"};
        QVERIFY_THROWS_EXCEPTION(Error, LoraModel(m->config, m->weights, none));
        LoraConfig regex;
        regex.targetRegex = R"(.*\.0\.mlp\.(up|gate)_proj)";
        LoraModel byRegex(m->config, m->weights, regex);
        QCOMPARE(int(byRegex.targets().size()), 2);
        QCOMPARE(allLinear().scale(), 2.0);
        LoraConfig rs = allLinear(16, 8);
        rs.useRslora = true;
        QCOMPARE(rs.scale(), 2.0);
    }

    void freshLoraKeepsOutputsAndRoundTrips()
    {
        auto m = tinyLlama();
        torch::Tensor ids = torch::tensor({1, 5, 9, 13, 17, 21}).view({1, 6});
        const torch::Tensor base = logitsOf(*m->decoder, ids);
        LoraModel lora(m->config, m->weights, allLinear());
        QVERIFY(maxDiff(logitsOf(*m->decoder, ids), base) == 0.0);
        {
            torch::NoGradGuard noGrad;
            for (auto &[name, t] : lora.namedParameters())
                if (name.find("lora_B") != std::string::npos)
                    t.normal_(0.0, 0.3);
        }
        const torch::Tensor adapted = logitsOf(*m->decoder, ids);
        QVERIFY(maxDiff(adapted, base) > 1e-3);
        QTemporaryDir dir;
        lora.save(dir.path().toStdString());
        lora.detach();
        QVERIFY(maxDiff(logitsOf(*m->decoder, ids), base) == 0.0);
        LoraModel loaded = LoraModel::load(m->config, m->weights, dir.path().toStdString());
        QCOMPARE(loaded.trainableParameterCount(), lora.trainableParameterCount());
        QVERIFY(maxDiff(logitsOf(*m->decoder, ids), adapted) < 1e-6);
        loaded.mergeAndUnload();
        QVERIFY(!m->weights.layers[0].q.lora);
        QVERIFY(maxDiff(logitsOf(*m->decoder, ids), adapted) < 1e-4);
    }

    void loraOverfitsFixedRows()
    {
        QElapsedTimer timer;
        timer.start();
        auto m = tinyLlama(3);
        torch::manual_seed(5);
        LoraConfig config = allLinear(8, 16);
        config.dropout = 0.05;  // exercised: applied to the adapters' inputs while training
        LoraModel lora(m->config, m->weights, config);
        lora.setTraining(true);
        AdamWSettings settings;
        settings.lr = 1e-2;
        auto optimizer = AdamWFactory::create(lora.namedParameters(), settings);
        const int64_t steps = 300;
        TrainStep step(*m->decoder, *optimizer, LrSchedule(LrSchedule::Kind::ConstantWithWarmup,
                                                           LrSchedule::warmupStepsFor(0.03, steps),
                                                           steps),
                       1.0);
        torch::Tensor ids = torch::randint(2, m->config.vocabSize, {4, 16}, torch::kInt64);
        torch::Tensor labels = ids.clone();
        labels.narrow(1, 0, 3).fill_(-100);  // a "prompt" without loss
        TrainBatch batch{ids, labels, torch::ones({4, 16}, torch::kInt64)};
        double first = 0.0, last = 0.0;
        int64_t reached = -1;
        for (int64_t s = 0; s < steps; ++s) {
            const TrainStepResult r = step.run(batch);
            if (s == 0)
                first = r.loss;
            last = r.loss;
            if (last < 0.1) {
                reached = s;
                break;
            }
        }
        qInfo("LoRA overfit: loss %.4f -> %.4f at step %lld in %lld ms", first, last,
              (long long)reached, (long long)timer.elapsed());
        QVERIFY(first > 2.0);
        QVERIFY2(last < 0.1, qPrintable(QString("final loss %1").arg(last)));
        QVERIFY(timer.elapsed() < 30000);
        // The base weights did not move and carry no gradient.
        QVERIFY(!m->weights.layers[0].q.weight.requires_grad());
    }
};

QTEST_APPLESS_MAIN(TrainTest)
#include "tst_train.moc"
