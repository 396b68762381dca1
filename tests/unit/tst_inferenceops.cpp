// The inference-only kernels (model/inferenceattention.h, model/inferencelinear.h) against the
// plain LibTorch expressions they replace: causal attention with a KV prefix, grouped-query
// heads, padding and several blocks of query rows; linear layers with and without bias.
#include "model/inferenceattention.h"
#include "model/inferencelinear.h"

#include <QTest>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

using namespace ft;

namespace {

// softmax(q k^T / sqrt(D), causal from `past`, padding -> lowest) v per head: (B, T, H * D).
torch::Tensor plainAttention(const torch::Tensor &q, const torch::Tensor &keys,
                             const torch::Tensor &values, int64_t past, const torch::Tensor &padding)
{
    const int64_t B = q.size(0), T = q.size(1), H = q.size(2), D = q.size(3);
    const int64_t Hkv = keys.size(1), S = keys.size(2), G = H / Hkv;
    std::vector<torch::Tensor> rows;
    for (int64_t b = 0; b < B; ++b) {
        std::vector<torch::Tensor> heads;
        for (int64_t h = 0; h < H; ++h) {
            torch::Tensor scores = q[b].select(1, h).matmul(keys[b][h / G].t()) / std::sqrt(double(D));
            scores = scores.masked_fill(torch::ones({T, S}, torch::kBool).triu(past + 1), -INFINITY);
            if (padding.defined())
                scores = scores.masked_fill(padding[b].view({1, S}), std::numeric_limits<float>::lowest());
            heads.push_back(torch::softmax(scores, -1).matmul(values[b][h / G]));
        }
        rows.push_back(torch::stack(heads, 1).reshape({T, H * D}));
    }
    return torch::stack(rows, 0);
}

} // namespace

class InferenceOpsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void attentionEqualsPlainExpressions_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("past");
        QTest::addColumn<bool>("padded");
        QTest::newRow("prompt, 2 blocks") << 1 << 70 << 0 << false;
        QTest::newRow("after a prefix, padded, 2 threads") << 2 << 70 << 25 << true;
        QTest::newRow("one token, padded") << 2 << 1 << 40 << true;
    }

    void attentionEqualsPlainExpressions()
    {
        QFETCH(int, threads);
        QFETCH(int, tokens);
        QFETCH(int, past);
        QFETCH(bool, padded);
        const int previous = at::get_num_threads();
        at::set_num_threads(threads);
        torch::manual_seed(3);
        const int64_t B = 3, H = 6, Hkv = 2, D = 16, T = tokens, S = past + tokens;
        // Inference tensors, as the eval makes them: workers must be allowed to write them.
        c10::InferenceMode mode;
        const torch::Tensor q = torch::randn({B, T, H, D});
        const torch::Tensor cache = torch::randn({2, B, Hkv, S + 5, D});  // capacity > S
        const torch::Tensor keys = cache[0].narrow(2, 0, S), values = cache[1].narrow(2, 0, S);
        torch::Tensor padding;
        if (padded) {
            padding = torch::zeros({B, S}, torch::kBool);
            padding[1].narrow(0, 0, 7).fill_(true);    // left padding
            padding[2].narrow(0, 3, 2).fill_(true);    // a gap
        }
        QVERIFY(inferenceAttentionApplies(q, keys, values));
        const torch::Tensor fast = inferenceAttention(q, keys, values, past, padding);
        const torch::Tensor slow = plainAttention(q, keys, values, past, padding);
        at::set_num_threads(previous);
        QCOMPARE(fast.sizes().vec(), slow.sizes().vec());
        QVERIFY2((fast - slow).abs().max().item<double>() < 1e-5,
                 qPrintable(QString::number((fast - slow).abs().max().item<double>())));
    }

    void attentionLeavesGradientsToAutograd()
    {
        const torch::Tensor q = torch::randn({1, 4, 2, 8}).requires_grad_(true);
        const torch::Tensor kv = torch::randn({1, 2, 4, 8});
        QVERIFY(!inferenceAttentionApplies(q, kv, kv));
    }

    void linearEqualsLibTorch()
    {
        torch::manual_seed(5);
        torch::NoGradGuard noGrad;
        const torch::Tensor x = torch::randn({2, 40, 96}), w = torch::randn({130, 96});
        const torch::Tensor bias = torch::randn({130});
        QVERIFY(inferenceLinearApplies(x, w, bias));
        QVERIFY((inferenceLinear(x, w, bias) - torch::linear(x, w, bias)).abs().max().item<double>() < 1e-4);
        QVERIFY((inferenceLinear(x, w, {}) - torch::linear(x, w)).abs().max().item<double>() < 1e-4);
        QCOMPARE(inferenceLinear(x, w, bias).sizes().vec(), (std::vector<int64_t>{2, 40, 130}));
        // A few rows (the gemv over every row at once), odd sizes, with and without bias.
        for (const int64_t rows : {1, 3, 8, 31}) {
            const torch::Tensor few = torch::randn({rows, 96});
            QVERIFY(inferenceLinearApplies(few, w, bias));
            QVERIFY((inferenceLinear(few, w, bias) - torch::linear(few, w, bias)).abs().max().item<double>() < 1e-4);
            QVERIFY((inferenceLinear(few, w, {}) - torch::linear(few, w)).abs().max().item<double>() < 1e-4);
        }
        const torch::Tensor oddWeight = torch::randn({7, 45});
        const torch::Tensor oddRows = torch::randn({5, 45});
        QVERIFY((inferenceLinear(oddRows, oddWeight, {}) - torch::linear(oddRows, oddWeight)).abs().max().item<double>() < 1e-4);
        // A transposed weight stays on LibTorch, and so does anything autograd records.
        QVERIFY(!inferenceLinearApplies(x, w.t(), {}));
    }

    void linearNotWhileGradientsAreRecorded()
    {
        const torch::Tensor x = torch::randn({40, 96}), w = torch::randn({130, 96});
        QVERIFY(torch::GradMode::is_enabled());
        QVERIFY(!inferenceLinearApplies(x, w, {}));
    }
};

QTEST_APPLESS_MAIN(InferenceOpsTest)
#include "tst_inferenceops.moc"
