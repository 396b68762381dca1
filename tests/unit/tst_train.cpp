// Training building blocks on a tiny random Llama built in memory: the causal-LM loss, the
// learning-rate schedules, the attention padding mask, LoRA attach / save / load / merge, and a
// LoRA fine-tune that overfits a few fixed rows. Parity with peft / torch: tests/interop.
#include "model/decoder.h"
#include "model/loramodel.h"
#include "model/rope.h"
#include "model/segmentattention.h"
#include "model/trainingops.h"
#include "train/adamwfactory.h"
#include "train/batchplan.h"
#include "train/causallmloss.h"
#include "train/flatbatch.h"
#include "train/linearcrossentropy.h"
#include "train/lrschedule.h"
#include "train/trainstep.h"

#include "tinydecoder.h"

#include "ft/error.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

using namespace ft;
using fttest::tinyLlama;

namespace {

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

    // The single-pass kernels behind siluMul, rotary and rmsNormTrain on inputs laid out as in
    // the decoder (row views of the stacked q/k/v and gate/up outputs) and long enough to be
    // split across threads: the plain expressions' values and gradients.
    void fusedKernelsMatchPlainExpressionsOnStridedRows()
    {
        torch::manual_seed(11);
        const auto closeTo = [](const torch::Tensor &a, const torch::Tensor &b) {
            return (a - b).abs().max().item<double>() < 1e-5;
        };
        const auto backwardOf = [](const torch::Tensor &out, const torch::Tensor &probe,
                                   const std::vector<torch::Tensor> &inputs) {
            for (auto t : inputs)
                t.mutable_grad() = torch::Tensor();
            (out * probe).sum().backward();
            std::vector<torch::Tensor> grads;
            for (const auto &t : inputs)
                grads.push_back(t.grad().clone());
            return grads;
        };
        const int64_t rows = 300, width = 96;
        // gate/up: the two halves of one (1, rows, 2 * width) output.
        torch::Tensor stacked = torch::randn({1, rows, 2 * width}).requires_grad_(true);
        const auto halves = stacked.split_with_sizes({width, width}, -1);
        torch::Tensor probe = torch::randn({1, rows, width});
        torch::Tensor lean = siluMul(halves[0], halves[1]);
        QVERIFY(lean.is_contiguous());
        const auto leanGrads = backwardOf(lean, probe, {stacked});
        torch::Tensor plain = torch::silu(halves[0]) * halves[1];
        QVERIFY(closeTo(lean, plain));
        const auto plainGrads = backwardOf(plain, probe, {stacked});
        QVERIFY(closeTo(leanGrads[0], plainGrads[0]));
        lean = siluMulStacked(stacked);
        QVERIFY(closeTo(lean, plain));
        QVERIFY(closeTo(backwardOf(lean, probe, {stacked})[0], plainGrads[0]));
        // Large arguments (exp over- and underflow inside the sigmoid) stay finite and exact.
        const torch::Tensor extreme = torch::tensor({-200.f, -90.f, -30.f, 0.f, 30.f, 90.f, 200.f});
        QVERIFY(closeTo(siluMul(extreme, torch::ones({7})), torch::silu(extreme)));

        // q: a (1, rows, H, D) view of a wider q/k/v output; cos/sin from the model's rotary.
        const int64_t H = 2, D = 8;
        torch::Tensor qkv = torch::randn({1, rows, 2 * H * D}).requires_grad_(true);
        torch::Tensor q = qkv.narrow(-1, 0, H * D).view({1, rows, H, D});
        auto [cos, sin] = Rope(tinyLlama()->config).cosSin(torch::arange(rows).unsqueeze(0));
        probe = torch::randn({1, rows, H, D});
        lean = rotary(q, cos, sin);
        const auto rotaryGrads = backwardOf(lean, probe, {qkv});
        plain = Rope::apply(q, cos, sin);
        QVERIFY(closeTo(lean, plain));
        QVERIFY(closeTo(rotaryGrads[0], backwardOf(plain, probe, {qkv})[0]));

        // RMSNorm with a trainable weight (full fine-tuning) over rows of width 96.
        torch::Tensor x = torch::randn({2, rows / 2, width}).requires_grad_(true);
        torch::Tensor weight = torch::randn({width}).requires_grad_(true);
        probe = torch::randn({2, rows / 2, width});
        lean = rmsNormTrain(x, weight, 1e-6);
        const auto normGrads = backwardOf(lean, probe, {x, weight});
        plain = weight * (x * torch::rsqrt(x.pow(2).mean(-1, true) + 1e-6));
        QVERIFY(closeTo(lean, plain));
        const auto plainNormGrads = backwardOf(plain, probe, {x, weight});
        QVERIFY(closeTo(normGrads[0], plainNormGrads[0]));
        QVERIFY((normGrads[1] - plainNormGrads[1]).abs().max().item<double>() < 1e-4);
    }

    // Attention over a padding-free row (sequences of several lengths, grouped-query heads, v a
    // view of a wider q/k/v output) equals softmax(q k^T / sqrt(D) + causal mask) v per
    // sequence, values and gradients: 70 and 150 tokens span two and three of the kernel's
    // 64-row causal blocks; 600 tokens recompute their probabilities in backward and are cut
    // into several tasks (their keys' gradients summed); 500 alone keeps its probabilities and
    // is cut too.
    void segmentAttentionMatchesPlainAttention_data()
    {
        QTest::addColumn<QList<qint64>>("lengths");
        QTest::addColumn<qint64>("heads");
        QTest::addColumn<qint64>("kvHeads");
        QTest::addColumn<qint64>("headDim");
        QTest::newRow("short and long") << QList<qint64>{5, 70, 3, 150, 600} << 4ll << 2ll << 8ll;
        QTest::newRow("one kept, cut") << QList<qint64>{500} << 4ll << 2ll << 8ll;
        // Head width 64: the sequences over 512 tokens run the flash kernels where the CPU has
        // AVX-512 (model/flashattention.h); partial last blocks, a whole number of blocks.
        QTest::newRow("flash, width 64") << QList<qint64>{700, 5, 1100, 513} << 9ll << 3ll << 64ll;
        QTest::newRow("flash, whole blocks") << QList<qint64>{640} << 6ll << 1ll << 64ll;
    }

    void segmentAttentionMatchesPlainAttention()
    {
        QFETCH(QList<qint64>, lengths);
        QFETCH(qint64, heads);
        QFETCH(qint64, kvHeads);
        QFETCH(qint64, headDim);
        const std::vector<int64_t> segments(lengths.begin(), lengths.end());
        torch::manual_seed(12);
        const int64_t H = heads, Hkv = kvHeads, D = headDim;
        int64_t N = 0;
        for (int64_t T : segments)
            N += T;
        torch::Tensor q = torch::randn({1, N, H, D}).requires_grad_(true);
        torch::Tensor k = torch::randn({1, N, Hkv, D}).requires_grad_(true);
        torch::Tensor wide = torch::randn({1, N, 3 * Hkv * D}).requires_grad_(true);
        torch::Tensor v = wide.narrow(-1, Hkv * D, Hkv * D).view({1, N, Hkv, D});
        QVERIFY(segmentAttentionApplies(q, k, v));
        const auto plain = [&] {
            std::vector<torch::Tensor> parts;
            int64_t start = 0;
            for (int64_t T : segments) {
                std::vector<torch::Tensor> heads;
                for (int64_t h = 0; h < H; ++h) {
                    const int64_t g = h / (H / Hkv);
                    torch::Tensor qh = q[0].narrow(0, start, T).select(1, h);
                    torch::Tensor kg = k[0].narrow(0, start, T).select(1, g);
                    torch::Tensor vg = v[0].narrow(0, start, T).select(1, g);
                    torch::Tensor scores = qh.matmul(kg.t()) / std::sqrt(double(D));
                    scores = scores.masked_fill(torch::ones({T, T}, torch::kBool).triu(1), -INFINITY);
                    heads.push_back(torch::softmax(scores, -1).matmul(vg));
                }
                parts.push_back(torch::stack(heads, 1).reshape({T, H * D}));
                start += T;
            }
            return torch::cat(parts, 0).unsqueeze(0);
        };
        const torch::Tensor probe = torch::randn({1, N, H * D});
        const auto gradsOf = [&](const torch::Tensor &out) {
            for (auto t : {q, k, wide})
                t.mutable_grad() = torch::Tensor();
            (out * probe).sum().backward();
            return std::vector<torch::Tensor>{q.grad().clone(), k.grad().clone(), wide.grad().clone()};
        };
        const torch::Tensor fast = segmentAttention(q, k, v, segments), slow = plain();
        QCOMPARE(fast.sizes().vec(), slow.sizes().vec());
        // Within 1e-5 of the largest value: float sums in another order (tiles, online softmax).
        const auto near = [](const torch::Tensor &a, const torch::Tensor &b) {
            return (a - b).abs().max().item<double>() <= 1e-5 * std::max(1.0, b.abs().max().item<double>());
        };
        QVERIFY(near(fast, slow));
        const auto fastGrads = gradsOf(fast), slowGrads = gradsOf(slow);
        for (size_t i = 0; i < fastGrads.size(); ++i)
            QVERIFY2(near(fastGrads[i], slowGrads[i]),
                     qPrintable(QString("gradient %1: %2").arg(i).arg((fastGrads[i] - slowGrads[i]).abs().max().item<double>())));
    }

    // The memory-lean training ops give the plain expressions' values and gradients.
    void trainingOpsMatchPlainExpressions()
    {
        torch::manual_seed(7);
        const auto gradsOf = [](const torch::Tensor &out, std::vector<torch::Tensor> inputs) {
            for (auto &t : inputs)
                t.mutable_grad() = torch::Tensor();
            const torch::Tensor probe = torch::randn(out.sizes());
            (out * probe).sum().backward();
            std::vector<torch::Tensor> grads;
            for (auto &t : inputs)
                grads.push_back(t.grad().clone());
            return grads;
        };
        const auto leaf = [](std::vector<int64_t> shape) {
            return torch::randn(shape).requires_grad_(true);
        };
        const auto close = [](const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b) {
            for (size_t i = 0; i < a.size(); ++i)
                if ((a[i] - b[i]).abs().max().item<double>() > 1e-5)
                    return false;
            return true;
        };
        torch::Tensor x = leaf({2, 5, 8}), w = torch::randn({6, 8}), bias = torch::randn({6});
        torch::manual_seed(1);
        auto plain = gradsOf(torch::linear(x, w, bias), {x});
        torch::manual_seed(1);
        auto lean = gradsOf(frozenLinear(x, w, bias, false), {x});
        QVERIFY(close(plain, lean));
        // oneDNN's GEMM (model/cpusgemm.h) sums in another order than LibTorch's.
        QVERIFY((frozenLinear(x, w, bias, false) - torch::linear(x, w, bias)).abs().max().item<double>() < 1e-5);
        torch::manual_seed(1);
        plain = gradsOf(torch::linear(x, w.t().contiguous().t(), bias), {x});
        torch::manual_seed(1);
        lean = gradsOf(frozenLinear(x, w.t().contiguous(), bias, true), {x});
        QVERIFY(close(plain, lean));

        // LoRA on a frozen projection: W + (scaled B) @ A in one op; x with and without a
        // gradient (the first block's input has none), a transposed weight view as GPT-2 passes.
        torch::Tensor a = leaf({3, 8}), b = leaf({6, 3});
        for (bool xTrains : {true, false}) {
            torch::Tensor in = torch::randn({2, 5, 8}).requires_grad_(xTrains);
            std::vector<torch::Tensor> inputs{a, b};
            if (xTrains)
                inputs.push_back(in);
            torch::manual_seed(6);
            plain = gradsOf(torch::linear(in, w, bias) + torch::linear(torch::linear(in, a), b) * 2.0, inputs);
            torch::manual_seed(6);
            lean = gradsOf(frozenLinearLowRank(in, w, bias, a, b * 2.0), inputs);
            QVERIFY(close(plain, lean));
            torch::manual_seed(6);
            lean = gradsOf(frozenLinearLowRank(in, w.t().contiguous().t(), torch::Tensor(), a, b * 2.0) + bias, inputs);
            QVERIFY(close(plain, lean));
        }

        torch::Tensor gate = leaf({3, 7}), up = leaf({3, 7});
        torch::manual_seed(2);
        plain = gradsOf(torch::silu(gate) * up, {gate, up});
        torch::manual_seed(2);
        lean = gradsOf(siluMul(gate, up), {gate, up});
        QVERIFY(close(plain, lean));

        torch::Tensor q = leaf({1, 4, 2, 8});
        auto [cos, sin] = Rope(tinyLlama()->config).cosSin(torch::arange(4).unsqueeze(0));
        torch::manual_seed(3);
        plain = gradsOf(Rope::apply(q, cos, sin), {q});
        torch::manual_seed(3);
        lean = gradsOf(rotary(q, cos, sin), {q});
        QVERIFY(close(plain, lean));

        torch::Tensor h = leaf({2, 3, 8}), nw = leaf({8});
        const auto plainNorm = [&] {
            return nw * (h * torch::rsqrt(h.pow(2).mean(-1, true) + 1e-6));
        };
        torch::manual_seed(4);
        plain = gradsOf(plainNorm(), {h, nw});
        torch::manual_seed(4);
        lean = gradsOf(rmsNormTrain(h, nw, 1e-6), {h, nw});
        QVERIFY(close(plain, lean));

        // lm_head + summed cross-entropy, chunked (3 rows per chunk over 7 rows).
        torch::Tensor rows = leaf({7, 8}), head = leaf({11, 8}), headBias = torch::randn({11});
        const torch::Tensor targets = torch::tensor({1, 0, 10, 3, 3, 7, 2}, torch::kLong);
        torch::Tensor ref = torch::nn::functional::cross_entropy(
            torch::linear(rows, head, headBias), targets,
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
        torch::Tensor fused = linearCrossEntropySum(rows, head, headBias, targets, 3);
        QVERIFY(std::abs(ref.item<double>() - fused.item<double>()) < 1e-4);
        torch::manual_seed(5);
        plain = gradsOf(ref * 1.0, {rows, head});
        torch::manual_seed(5);
        lean = gradsOf(fused * 1.0, {rows, head});
        QVERIFY(close(plain, lean));

        // A vocabulary wider than the softmax kernel's 16 lanes and not a multiple of them,
        // logits large enough that exp overflows unless the row maximum comes off, no bias,
        // all rows in one chunk.
        torch::Tensor wide = leaf({5, 8}), wideHead = leaf({1037, 8});
        const torch::Tensor wideTargets = torch::tensor({0, 1036, 500, 17, 17}, torch::kLong);
        const auto scaled = [&] { return wide * 12.0; };
        ref = torch::nn::functional::cross_entropy(
            torch::linear(scaled(), wideHead), wideTargets,
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
        fused = linearCrossEntropySum(scaled(), wideHead, {}, wideTargets);
        QVERIFY2(std::abs(ref.item<double>() / fused.item<double>() - 1) < 1e-5,
                 qPrintable(QString("%1 vs %2").arg(ref.item<double>()).arg(fused.item<double>())));
        torch::manual_seed(6);
        plain = gradsOf(ref * 1.0, {wide, wideHead});
        torch::manual_seed(6);
        lean = gradsOf(fused * 1.0, {wide, wideHead});
        for (size_t i = 0; i < plain.size(); ++i) {
            const double scale = plain[i].abs().max().item<double>();
            QVERIFY((plain[i] - lean[i]).abs().max().item<double>() < 1e-5 * scale);
        }
    }

    // Packing bins respect cutoff_len, every example is trained once per epoch, epochs are
    // reproducible, and group_by_length orders each mega-batch by length.
    void batchPlanPacksAndGroups()
    {
        std::vector<Example> examples(203);
        std::mt19937 gen(5);
        for (auto &ex : examples)
            ex.ids.assign(1 + gen() % 90, 1);
        BatchPlan packed(examples, {4, true, false, 128, 42});
        QVERIFY(packed.unitCount() < 203);
        int64_t total = 0;
        for (const auto &ex : examples)
            total += static_cast<int64_t>(ex.ids.size());
        QVERIFY(packed.unitCount() >= (total + 127) / 128);
        for (int64_t epoch = 0; epoch < 2; ++epoch) {
            const auto batches = packed.epoch(epoch);
            QCOMPARE(int64_t(batches.size()), packed.microBatchesPerEpoch());
            std::vector<int> seen(examples.size(), 0);
            for (const auto &b : batches) {
                int64_t tokens = 0;
                for (int64_t i : b) {
                    ++seen[i];
                    tokens += static_cast<int64_t>(examples[i].ids.size());
                }
                QVERIFY(tokens <= 4 * 128);
            }
            QVERIFY(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
            QVERIFY(batches == packed.epoch(epoch));
        }
        QVERIFY(packed.epoch(0) != packed.epoch(1));

        BatchPlan grouped(examples, {2, false, true, 128, 42});
        const auto batches = grouped.epoch(0);
        QCOMPARE(int64_t(batches.size()), int64_t(102));
        // Inside the first mega-batch (50 micro-batches) lengths never increase.
        int64_t last = 1 << 30;
        for (size_t b = 0; b < 50; ++b)
            for (int64_t i : batches[b]) {
                const int64_t n = static_cast<int64_t>(examples[i].ids.size());
                QVERIFY(n <= last);
                last = n;
            }
        // Without packing or grouping: the plain seeded permutation, batch by batch.
        BatchPlan plain(examples, {4, false, false, 128, 42});
        QCOMPARE(plain.unitCount(), int64_t(203));
        QCOMPARE(plain.microBatchesPerEpoch(), int64_t(51));
    }

    // A padding-free micro-batch gives a right-padded batch's loss and gradients.
    void flatBatchEqualsPaddedBatch_data()
    {
        QTest::addColumn<bool>("full");
        QTest::newRow("lora") << false;
        QTest::newRow("full") << true;
    }
    void flatBatchEqualsPaddedBatch()
    {
        QFETCH(bool, full);
        auto m = tinyLlama(3);
        std::optional<LoraModel> lora;
        std::vector<torch::Tensor> trained;
        if (full) {
            for (auto &[name, t] : m->weights.named)
                trained.push_back(t.requires_grad_(true));
        } else {
            lora.emplace(m->config, m->weights, allLinear());
            lora->setTraining(true);
            for (auto &[name, t] : lora->namedParameters()) {
                torch::nn::init::normal_(t.detach(), 0.0, 0.1);  // non-zero B: gradients everywhere
                trained.push_back(t);
            }
        }
        std::vector<Example> rows(3);
        const std::vector<std::vector<int64_t>> ids = {{1, 5, 9, 2, 7}, {3, 4, 8}, {6, 2, 9, 11, 12, 13, 5}};
        for (size_t i = 0; i < rows.size(); ++i) {
            rows[i].ids = ids[i];
            rows[i].labels = ids[i];
            rows[i].labels[0] = rows[i].labels[1] = kIgnoreIndex;  // prompt
        }
        const auto paramGrads = [&] {
            std::vector<torch::Tensor> grads;
            for (auto &t : trained) {
                grads.push_back(t.grad().clone());
                t.mutable_grad() = torch::Tensor();
            }
            return grads;
        };
        // Padded: (3, 7), right-padded with id 0, mask 0, label -100.
        torch::Tensor pid = torch::zeros({3, 7}, torch::kLong), plab = torch::full({3, 7}, kIgnoreIndex, torch::kLong);
        torch::Tensor pmask = torch::zeros({3, 7}, torch::kLong);
        for (int64_t i = 0; i < 3; ++i)
            for (size_t t = 0; t < ids[i].size(); ++t) {
                pid[i][t] = ids[i][t];
                plab[i][t] = rows[i].labels[t];
                pmask[i][t] = 1;
            }
        ForwardInputs in;
        in.ids = pid;
        in.attentionMask = pmask;
        in.allPositions = true;
        torch::Tensor padded = causalLmLoss(m->decoder->forward(in), plab);
        padded.backward();
        const auto paddedGrads = paramGrads();

        const FlatBatch flat = flattenExamples({&rows[0], &rows[1], &rows[2]});
        QCOMPARE(flat.lossRows.numel(), countLossTokens(plab));
        QCOMPARE(lossTokenCount({&rows[0], &rows[1], &rows[2]}), flat.lossRows.numel());
        torch::Tensor flatLoss =
            batchLossSum(*m->decoder, {&rows[0], &rows[1], &rows[2]}) / double(flat.lossRows.numel());
        flatLoss.backward();
        const auto flatGrads = paramGrads();
        QVERIFY(std::abs(flatLoss.item<double>() - padded.item<double>()) < 1e-5);
        for (size_t i = 0; i < flatGrads.size(); ++i)
            QVERIFY2(maxDiff(flatGrads[i], paddedGrads[i]) < 1e-5, qPrintable(QString::number(i)));
    }
};

QTEST_APPLESS_MAIN(TrainTest)
#include "tst_train.moc"
