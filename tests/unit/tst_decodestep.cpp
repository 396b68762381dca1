// The fused single-token decoding step (model/decodestep.h) against the general LibTorch path
// it replaces, on a tiny random Llama: logits of several greedy steps after a prompt, with
// separate and stacked q/k/v and gate/up weights and with q/k/v biases; the batched step
// (several left-padded sequences) likewise; the fp32 gemv (model/floatgemv.h) and its batched
// form against torch::mv / mm on awkward shapes; and the decode workers covering every index
// exactly once, also when two threads call at once.
#include "model/decodestep.h"
#include "model/decodeworkers.h"
#include "model/floatgemv.h"
#include "tinydecoder.h"

#include <QTest>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

using namespace ft;

namespace {

// Logits (V) of a prompt pass and then `steps` single-token steps, each fed the previous argmax.
std::vector<torch::Tensor> greedyLogits(const Decoder &decoder, int64_t promptLength, int steps)
{
    torch::InferenceMode guard;
    KvCache cache = decoder.newCache(1, promptLength + steps + 1);
    ForwardInputs inputs;
    inputs.ids = (torch::arange(promptLength, torch::kInt64) * 7 + 3).remainder(48).unsqueeze(0);
    inputs.cache = &cache;
    std::vector<torch::Tensor> out;
    for (int step = 0; step <= steps; ++step) {
        torch::Tensor logits = decoder.forward(inputs).view({-1}).clone();
        out.push_back(logits);
        inputs.ids = logits.argmax().view({1, 1});
    }
    return out;
}

void compareWithGeneralPath(const Decoder &decoder)
{
    setDecodeStepEnabled(true);
    const std::vector<torch::Tensor> fused = greedyLogits(decoder, 5, 8);
    setDecodeStepEnabled(false);
    const std::vector<torch::Tensor> general = greedyLogits(decoder, 5, 8);
    setDecodeStepEnabled(true);
    QCOMPARE(fused.size(), general.size());
    for (size_t i = 0; i < fused.size(); ++i) {
        const double diff = (fused[i] - general[i]).abs().max().item<double>();
        if (diff > 1e-4)
            QFAIL(qPrintable(QString("step %1: logits differ by %2").arg(i).arg(diff)));
        QCOMPARE(fused[i].argmax().item<int64_t>(), general[i].argmax().item<int64_t>());
    }
}

// The batched step (decodeLayersBatch): B rows left-padded by 0, 1, 2, ... positions (masked,
// positions counted from each row's first real token, as generateBatch feeds them), a prompt
// pass and then `steps` steps each fed the rows' previous argmax. Logits (B, V) per pass.
std::vector<torch::Tensor> greedyBatchLogits(const Decoder &decoder, int64_t B,
                                             int64_t promptLength, int steps)
{
    torch::InferenceMode guard;
    const int64_t capacity = promptLength + steps + 1;
    KvCache cache = decoder.newCache(B, capacity);
    torch::Tensor mask = torch::ones({B, capacity}, torch::kInt64);
    torch::Tensor positions = torch::zeros({B, promptLength}, torch::kInt64);
    for (int64_t b = 0; b < B; ++b) {
        const int64_t pad = std::min(b, promptLength - 1);
        mask[b].narrow(0, 0, pad).fill_(0);
        positions[b].narrow(0, pad, promptLength - pad).copy_(torch::arange(promptLength - pad));
    }
    ForwardInputs inputs;
    inputs.ids = (torch::arange(B * promptLength, torch::kInt64) * 7 + 3).remainder(48).view({B, promptLength});
    inputs.positions = positions;
    inputs.attentionMask = mask.narrow(1, 0, promptLength);
    inputs.cache = &cache;
    torch::Tensor next = positions.select(1, promptLength - 1).unsqueeze(1) + 1;  // (B, 1)
    std::vector<torch::Tensor> out;
    for (int step = 0; step <= steps; ++step) {
        torch::Tensor logits = decoder.forward(inputs).view({B, -1}).clone();
        out.push_back(logits);
        inputs.ids = logits.argmax(1).view({B, 1});
        inputs.positions = next.clone();
        next += 1;
        inputs.attentionMask = mask.narrow(1, 0, cache.length + 1);
    }
    return out;
}

void compareBatchWithGeneralPath(const Decoder &decoder, int64_t B, int64_t promptLength, int steps)
{
    setDecodeStepEnabled(true);
    const std::vector<torch::Tensor> fused = greedyBatchLogits(decoder, B, promptLength, steps);
    setDecodeStepEnabled(false);
    const std::vector<torch::Tensor> general = greedyBatchLogits(decoder, B, promptLength, steps);
    setDecodeStepEnabled(true);
    QCOMPARE(fused.size(), general.size());
    for (size_t i = 0; i < fused.size(); ++i) {
        const double diff = (fused[i] - general[i]).abs().max().item<double>();
        if (diff > 1e-4)
            QFAIL(qPrintable(QString("batch %1, step %2: logits differ by %3").arg(B).arg(i).arg(diff)));
        QVERIFY(torch::equal(fused[i].argmax(1), general[i].argmax(1)));
    }
}

// The layers' q/k/v and gate/up weights as row views of one stacked tensor each, as the
// checkpoint loader arranges them.
void stackProjections(fttest::TinyModel &model, bool withBias)
{
    for (LayerWeights &l : model.weights.layers) {
        l.qkvWeight = torch::cat({l.q.weight, l.k.weight, l.v.weight}, 0).contiguous();
        l.q.weight = l.qkvWeight.narrow(0, 0, 32);
        l.k.weight = l.qkvWeight.narrow(0, 32, 16);
        l.v.weight = l.qkvWeight.narrow(0, 48, 16);
        if (withBias) {
            l.qkvBias = torch::randn({64}) * 0.5;
            l.q.bias = l.qkvBias.narrow(0, 0, 32);
            l.k.bias = l.qkvBias.narrow(0, 32, 16);
            l.v.bias = l.qkvBias.narrow(0, 48, 16);
        }
        l.gateUpWeight = torch::cat({l.gate.weight, l.up.weight}, 0).contiguous();
        l.gate.weight = l.gateUpWeight.narrow(0, 0, 64);
        l.up.weight = l.gateUpWeight.narrow(0, 64, 64);
    }
}

} // namespace

class DecodeStepTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { at::set_num_threads(2); }

    void separateProjectionsMatchTheGeneralPath()
    {
        auto model = fttest::tinyLlama(1);
        KvCache cache = model->decoder->newCache(1, 4);
        QVERIFY(decodeStepApplies(model->config, model->weights, cache, true));
        compareWithGeneralPath(*model->decoder);
    }

    void stackedProjectionsWithBiasMatchTheGeneralPath()
    {
        auto model = fttest::tinyLlama(2);
        stackProjections(*model, true);
        compareWithGeneralPath(*model->decoder);
        stackProjections(*model, false);
        compareWithGeneralPath(*model->decoder);
    }

    void longContextSharesHeadsOut()
    {
        // Enough cached positions that the heads are shared out on the workers.
        auto model = fttest::tinyLlama(3);
        setDecodeStepEnabled(true);
        const std::vector<torch::Tensor> fused = greedyLogits(*model->decoder, 1200, 3);
        setDecodeStepEnabled(false);
        const std::vector<torch::Tensor> general = greedyLogits(*model->decoder, 1200, 3);
        setDecodeStepEnabled(true);
        for (size_t i = 0; i < fused.size(); ++i)
            QVERIFY((fused[i] - general[i]).abs().max().item<double>() < 1e-4);
    }

    void batchedStepMatchesTheGeneralPath()
    {
        auto model = fttest::tinyLlama(6);
        KvCache cache = model->decoder->newCache(3, 4);
        QVERIFY(decodeStepApplies(model->config, model->weights, cache, true, 3));
        QVERIFY(!decodeStepApplies(model->config, model->weights, cache, true, 1));
        for (int64_t B : {2, 3, 8})
            compareBatchWithGeneralPath(*model->decoder, B, 6, 8);
        stackProjections(*model, true);
        compareBatchWithGeneralPath(*model->decoder, 5, 6, 8);
        stackProjections(*model, false);
        compareBatchWithGeneralPath(*model->decoder, 4, 6, 8);
        // Enough cached positions that the (row, head) pairs are shared out on the workers.
        compareBatchWithGeneralPath(*model->decoder, 3, 1500, 2);
    }

    void floatGemvBatchMatchesMm()
    {
        torch::manual_seed(7);
        for (const auto &[rows, cols] : std::vector<std::pair<int64_t, int64_t>>{
                 {1, 1}, {3, 17}, {7, 64}, {130, 33}, {4099, 576}, {577, 1536}})
            for (int64_t batch : {1, 2, 3, 8}) {
                const torch::Tensor w = torch::randn({rows, cols});
                const torch::Tensor x = torch::randn({batch, cols});
                const torch::Tensor bias = torch::randn({rows});
                torch::Tensor y = torch::empty({batch, rows});
                floatGemvBatch(w.data_ptr<float>(), rows, cols, x.data_ptr<float>(), batch,
                               bias.data_ptr<float>(), y.data_ptr<float>());
                const torch::Tensor expected =
                    torch::mm(x.to(torch::kFloat64), w.to(torch::kFloat64).t()) + bias;
                const double tolerance = 1e-5 * std::sqrt(double(cols)) * 4;
                if ((y.to(torch::kFloat64) - expected).abs().max().item<double>() > tolerance)
                    QFAIL(qPrintable(QString("%1 x %2, batch %3: differs from mm")
                                         .arg(rows).arg(cols).arg(batch)));
            }
    }

    void notTakenWithAnAdapterOrGelu()
    {
        auto model = fttest::tinyLlama(4);
        KvCache cache = model->decoder->newCache(1, 4);
        model->config.activation = "gelu";
        QVERIFY(!decodeStepApplies(model->config, model->weights, cache, true));
        model->config.activation = "silu";
        model->weights.layers[1].down.lora = std::make_shared<LoraAdapter>();
        QVERIFY(!decodeStepApplies(model->config, model->weights, cache, true));
        QVERIFY(decodeStepApplies(model->config, model->weights, cache, false));
    }

    void floatGemvMatchesMv()
    {
        torch::manual_seed(5);
        for (const auto &[rows, cols] : std::vector<std::pair<int64_t, int64_t>>{
                 {1, 1}, {3, 17}, {7, 64}, {130, 33}, {4099, 576}, {577, 1536}}) {
            const torch::Tensor w = torch::randn({rows, cols});
            const torch::Tensor x = torch::randn({cols});
            const torch::Tensor bias = torch::randn({rows});
            torch::Tensor y = torch::empty({rows});
            floatGemv(w.data_ptr<float>(), rows, cols, x.data_ptr<float>(), bias.data_ptr<float>(),
                      y.data_ptr<float>());
            const torch::Tensor expected = torch::mv(w.to(torch::kFloat64), x.to(torch::kFloat64)) + bias;
            const double tolerance = 1e-5 * std::sqrt(double(cols)) * 4;
            if ((y.to(torch::kFloat64) - expected).abs().max().item<double>() > tolerance)
                QFAIL(qPrintable(QString("%1 x %2: gemv differs from mv").arg(rows).arg(cols)));
        }
    }

    void workersCoverEveryIndexOnce()
    {
        const int64_t n = 100003;
        std::vector<std::atomic<int>> hits(n);
        const auto countInto = [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
                hits[i].fetch_add(1);
        };
        for (int round = 0; round < 50; ++round)
            decodeworkers::parallelFor(n, 7, countInto);
        // Two callers at once: one runs on the pool, the other inline; nothing lost or doubled.
        std::thread other([&] {
            for (int round = 0; round < 50; ++round)
                decodeworkers::parallelFor(n, 7, countInto);
        });
        for (int round = 0; round < 50; ++round)
            decodeworkers::parallelFor(n, 7, countInto);
        other.join();
        for (int64_t i = 0; i < n; ++i)
            if (hits[i].load() != 150)
                QFAIL(qPrintable(QString("index %1 run %2 times").arg(i).arg(hits[i].load())));
    }
};

QTEST_APPLESS_MAIN(DecodeStepTest)
#include "tst_decodestep.moc"
