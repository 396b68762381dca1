// The compact frozen base (model/frozenmatrix.h, model/frozenlinear.h): each format dequantises
// to what its reference decoder gives (ggml's dequantize_row_* for Q8_0 / Q4_0 via
// io/ggufdequant.h, torch's bf16 rounding; NF4 against bitsandbytes in
// tests/interop/test_compact_base.py), row ranges share the storage, and the linear ops'
// forward and gradients equal LibTorch autograd over the dequantised weight.
#include "export/ggufquantize.h"
#include "io/ggufdequant.h"
#include "model/frozenlinear.h"
#include "model/frozenmatrix.h"
#include "model/basecompaction.h"
#include "model/loramodel.h"
#include "tinydecoder.h"
#include "train/devicemove.h"

#include "ft/error.h"

#include <QTest>

#include <ATen/autocast_mode.h>

#include <torch/torch.h>

using namespace ft;

Q_DECLARE_METATYPE(ft::BasePrecision)

namespace {

torch::Tensor ggmlRoundTrip(const torch::Tensor &w, uint32_t type)
{
    const torch::Tensor c = w.contiguous();
    torch::Tensor out = torch::empty_like(c);
    for (int64_t r = 0; r < c.size(0); ++r) {
        std::vector<uint8_t> blocks;
        quantizeRows(type, c[r].data_ptr<float>(), c.size(1), blocks);
        dequantizeRow(type, blocks.data(), c.size(1), out[r].data_ptr<float>(), "test");
    }
    return out;
}

} // namespace

class FrozenLinearTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dequantisesAsTheReference_data()
    {
        QTest::addColumn<ft::BasePrecision>("precision");
        QTest::newRow("bf16") << BasePrecision::Bf16;
        QTest::newRow("q8_0") << BasePrecision::Q8_0;
        QTest::newRow("q4_0") << BasePrecision::Q4_0;
        QTest::newRow("nf4") << BasePrecision::Nf4;
    }

    void dequantisesAsTheReference()
    {
        QFETCH(ft::BasePrecision, precision);
        torch::manual_seed(3);
        const torch::Tensor w = torch::randn({96, 160}) * 0.05;
        const auto matrix = FrozenMatrix::quantize(w, precision, "w");
        const torch::Tensor got = matrix->dequantized();
        torch::Tensor want;
        if (precision == BasePrecision::Bf16)
            want = w.to(torch::kBFloat16).to(torch::kFloat32);
        else if (precision == BasePrecision::Q8_0)
            want = ggmlRoundTrip(w, ggml::Q8_0);
        else if (precision == BasePrecision::Q4_0)
            want = ggmlRoundTrip(w, ggml::Q4_0);
        if (want.defined())
            QVERIFY(torch::equal(got, want));
        // Every format stays near the original: a 4-bit code is within half its widest step
        // (NF4: 0.16 of the block's absmax) of the value.
        QVERIFY((got - w).abs().max().item<double>() < 0.2 * w.abs().max().item<double>());
        QVERIFY(!torch::equal(got, w));
        // A row range reads the same rows of the shared storage.
        const auto rows = matrix->rowRange(40, 24);
        QCOMPARE(rows->storageId(), matrix->storageId());
        QVERIFY(torch::equal(rows->dequantized(), got.narrow(0, 40, 24)));
        QCOMPARE(matrix->storageBytes(),
                 int64_t(std::llround(double(w.numel()) * basePrecisionBytesPerWeight(precision))));
    }

    void badWidthNamesTheTensor()
    {
        try {
            FrozenMatrix::quantize(torch::randn({4, 40}), BasePrecision::Q4_0, "layers.0.o_proj");
            QFAIL("no error");
        } catch (const std::exception &e) {
            QVERIFY(std::string(e.what()).find("layers.0.o_proj") != std::string::npos);
            QVERIFY(std::string(e.what()).find("32") != std::string::npos);
        }
    }

    void linearOpsEqualAutogradOverTheDequantisedWeight()
    {
        torch::manual_seed(5);
        const auto matrix = FrozenMatrix::quantize(torch::randn({48, 64}) * 0.1, BasePrecision::Nf4, "w");
        const torch::Tensor w = matrix->dequantized();
        const torch::Tensor bias = torch::randn({48});
        const torch::Tensor x0 = torch::randn({2, 5, 64});
        const torch::Tensor a0 = torch::randn({4, 64}) * 0.1, b0 = torch::randn({48, 4}) * 0.1;
        const torch::Tensor upstream = torch::randn({2, 5, 48});

        // Plain linear.
        torch::Tensor x = x0.clone().requires_grad_(true), xRef = x0.clone().requires_grad_(true);
        torch::Tensor y = compactLinear(x, *matrix, bias);
        torch::Tensor yRef = torch::linear(xRef, w, bias);
        QVERIFY(torch::allclose(y, yRef, 1e-5, 1e-5));
        (y * upstream).sum().backward();
        (yRef * upstream).sum().backward();
        QVERIFY(torch::allclose(x.grad(), xRef.grad(), 1e-5, 1e-5));

        // With a low-rank (LoRA) term.
        x = x0.clone().requires_grad_(true), xRef = x0.clone().requires_grad_(true);
        torch::Tensor a = a0.clone().requires_grad_(true), aRef = a0.clone().requires_grad_(true);
        torch::Tensor b = b0.clone().requires_grad_(true), bRef = b0.clone().requires_grad_(true);
        y = compactLinearLowRank(x, *matrix, bias, a, b);
        yRef = torch::linear(xRef, w, bias) + torch::linear(torch::linear(xRef, aRef), bRef);
        QVERIFY(torch::allclose(y, yRef, 1e-5, 1e-5));
        (y * upstream).sum().backward();
        (yRef * upstream).sum().backward();
        QVERIFY(torch::allclose(x.grad(), xRef.grad(), 1e-5, 1e-5));
        QVERIFY(torch::allclose(a.grad(), aRef.grad(), 1e-5, 1e-5));
        QVERIFY(torch::allclose(b.grad(), bRef.grad(), 1e-5, 1e-5));

        // Without a graph (inference): the same values.
        torch::NoGradGuard noGrad;
        QVERIFY(torch::allclose(compactLinear(x0, *matrix, torch::Tensor()), torch::linear(x0, w),
                                1e-5, 1e-5));
    }

    // The tensor storage (what a CUDA base holds) dequantised with tensor ops equals the CPU
    // loops bit for bit: every format, odd shapes, several blocks, and row ranges that start
    // and end inside an NF4 block (blocks of 64 run over the flattened tensor).
    void tensorOpsEqualTheLoops_data()
    {
        QTest::addColumn<ft::BasePrecision>("precision");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        const std::pair<const char *, BasePrecision> formats[] = {
            {"bf16", BasePrecision::Bf16}, {"q8_0", BasePrecision::Q8_0},
            {"q4_0", BasePrecision::Q4_0}, {"nf4", BasePrecision::Nf4}};
        for (const auto &[name, precision] : formats) {
            // NF4 needs rows * cols to be whole blocks of 64 (38 * 96 = 57 blocks).
            QTest::newRow((std::string(name) + " 38x96").c_str()) << precision << 38 << 96;
            QTest::newRow((std::string(name) + " 7x320").c_str()) << precision << 7 << 320;
        }
        // NF4 rows of 32 and 160 values: blocks straddle rows.
        QTest::newRow("nf4 10x32") << BasePrecision::Nf4 << 10 << 32;
        QTest::newRow("nf4 12x160") << BasePrecision::Nf4 << 12 << 160;
        QTest::newRow("q4_0 5x32") << BasePrecision::Q4_0 << 5 << 32;
        QTest::newRow("bf16 3x2") << BasePrecision::Bf16 << 3 << 2;
    }

    void tensorOpsEqualTheLoops()
    {
        QFETCH(ft::BasePrecision, precision);
        QFETCH(int, rows);
        QFETCH(int, cols);
        torch::manual_seed(rows * 1000 + cols);
        // Wide-ranging values: tiny blocks give subnormal fp16 scales, a zero block a zero one.
        torch::Tensor w = torch::randn({rows, cols}) * torch::pow(10.0, torch::randint(-7, 2, {rows, 1}, torch::kFloat32));
        w[0].zero_();
        const auto bytes = FrozenMatrix::quantize(w, precision, "w");
        FrozenMatrix::MovedStorages moved;
        const auto tensors = bytes->toTensorStorage(torch::Device(torch::kCPU), moved);
        QVERIFY(!bytes->tensorStorage());
        QVERIFY(tensors->tensorStorage());
        QCOMPARE(tensors->storageBytes(),
                 bytes->storageBytes() + (precision == BasePrecision::Nf4 ? 16 * 4 : 0));
        const torch::Tensor want = bytes->dequantized();
        const torch::Tensor got = tensors->dequantizedTensor();
        QVERIFY(got.scalar_type() == torch::kFloat32);
        QVERIFY(torch::equal(got.view(torch::kInt32), want.view(torch::kInt32)));  // bit for bit
        QVERIFY(torch::equal(tensors->dequantized(), want));
        const std::pair<int, int> ranges[] = {{0, 1}, {1, rows - 2}, {rows - 3, 3}, {rows / 2, 1}};
        for (const auto &[first, count] : ranges) {
            const auto range = bytes->rowRange(first, count);
            // Moved after taking the range: shares the moved storage of the whole matrix.
            const auto movedRange = range->toTensorStorage(torch::Device(torch::kCPU), moved);
            QCOMPARE(movedRange->storageId(), tensors->storageId());
            QVERIFY(torch::equal(movedRange->dequantizedTensor().view(torch::kInt32),
                                 want.narrow(0, first, count).view(torch::kInt32)));
            // And a range of the moved whole.
            QVERIFY(torch::equal(tensors->rowRange(first, count)->dequantizedTensor(),
                                 want.narrow(0, first, count)));
        }
    }

    // The autograd Functions over tensor storage give the CPU path's forward and gradients:
    // the same dequantised values, so the same GEMMs.
    void functionsOverTensorStorageEqualTheLoops_data()
    {
        QTest::addColumn<ft::BasePrecision>("precision");
        QTest::newRow("bf16") << BasePrecision::Bf16;
        QTest::newRow("q8_0") << BasePrecision::Q8_0;
        QTest::newRow("q4_0") << BasePrecision::Q4_0;
        QTest::newRow("nf4") << BasePrecision::Nf4;
    }

    void functionsOverTensorStorageEqualTheLoops()
    {
        QFETCH(ft::BasePrecision, precision);
        torch::manual_seed(9);
        const auto whole = FrozenMatrix::quantize(torch::randn({80, 96}) * 0.1, precision, "w");
        const auto loops = whole->rowRange(16, 48);  // as q/k/v are rows of one storage
        FrozenMatrix::MovedStorages moved;
        const auto ops = loops->toTensorStorage(torch::Device(torch::kCPU), moved);
        const torch::Tensor bias = torch::randn({48});
        const torch::Tensor x0 = torch::randn({2, 5, 96});
        const torch::Tensor a0 = torch::randn({4, 96}) * 0.1, b0 = torch::randn({48, 4}) * 0.1;
        const torch::Tensor upstream = torch::randn({2, 5, 48});
        struct Result
        {
            torch::Tensor y, dx, yLow, dxLow, da, db;
        };
        auto run = [&](const FrozenMatrix &m) {
            Result r;
            torch::Tensor x = x0.clone().requires_grad_(true);
            r.y = compactLinear(x, m, bias);
            (r.y * upstream).sum().backward();
            r.dx = x.grad();
            x = x0.clone().requires_grad_(true);
            torch::Tensor a = a0.clone().requires_grad_(true), b = b0.clone().requires_grad_(true);
            r.yLow = compactLinearLowRank(x, m, bias, a, b);
            (r.yLow * upstream).sum().backward();
            r.dxLow = x.grad();
            r.da = a.grad();
            r.db = b.grad();
            return r;
        };
        const Result want = run(*loops), got = run(*ops);
        QVERIFY(torch::equal(got.y, want.y));
        QVERIFY(torch::equal(got.dx, want.dx));
        QVERIFY(torch::equal(got.yLow, want.yLow));
        QVERIFY(torch::equal(got.dxLow, want.dxLow));
        QVERIFY(torch::equal(got.da, want.da));
        QVERIFY(torch::equal(got.db, want.db));
    }

    // CUDA trains under bf16 autocast: the forward GEMMs come out bf16 and so does the incoming
    // gradient. CPU autocast (bf16) stands in for it here: the Functions over tensor storage run
    // without dtype clashes and give what LibTorch's own ops give over the dequantised weight
    // under the same autocast, to bf16's precision; the parameters' gradients come back fp32.
    void functionsRunUnderBf16Autocast()
    {
        torch::manual_seed(11);
        const auto bytes = FrozenMatrix::quantize(torch::randn({48, 64}) * 0.1, BasePrecision::Nf4, "w");
        FrozenMatrix::MovedStorages moved;
        const auto matrix = bytes->toTensorStorage(torch::Device(torch::kCPU), moved);
        const torch::Tensor w = bytes->dequantized(), bias = torch::randn({48});
        const torch::Tensor x0 = torch::randn({2, 5, 64});
        const torch::Tensor a0 = torch::randn({4, 64}) * 0.1, b0 = torch::randn({48, 4}) * 0.1;
        const torch::Tensor upstream = torch::randn({2, 5, 48});
        torch::Tensor x = x0.clone().requires_grad_(true), xRef = x0.clone().requires_grad_(true);
        torch::Tensor a = a0.clone().requires_grad_(true), aRef = a0.clone().requires_grad_(true);
        torch::Tensor b = b0.clone().requires_grad_(true), bRef = b0.clone().requires_grad_(true);
        torch::Tensor y, yRef, yPlain, yPlainRef;
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
        y = compactLinearLowRank(x, *matrix, bias, a, b);
        yRef = torch::linear(xRef, w, bias) + torch::linear(torch::linear(xRef, aRef), bRef);
        torch::Tensor xPlain = x0.clone().requires_grad_(true), xPlainRef = x0.clone().requires_grad_(true);
        yPlain = compactLinear(xPlain, *matrix, bias);
        yPlainRef = torch::linear(xPlainRef, w, bias);
        at::autocast::set_cpu_enabled(false);
        at::autocast::clear_cache();
        QVERIFY(y.scalar_type() == torch::kBFloat16);
        QVERIFY(yPlain.scalar_type() == torch::kBFloat16);
        auto near = [](const torch::Tensor &got, const torch::Tensor &want) {
            return torch::allclose(got.to(torch::kFloat32), want.to(torch::kFloat32), 3e-2, 3e-2);
        };
        QVERIFY(near(y, yRef));
        QVERIFY(near(yPlain, yPlainRef));
        (y.to(torch::kFloat32) * upstream).sum().backward();
        (yRef.to(torch::kFloat32) * upstream).sum().backward();
        (yPlain.to(torch::kFloat32) * upstream).sum().backward();
        (yPlainRef.to(torch::kFloat32) * upstream).sum().backward();
        for (const torch::Tensor *g : {&x, &a, &b, &xPlain})
            QVERIFY(g->grad().scalar_type() == torch::kFloat32);
        QVERIFY(near(x.grad(), xRef.grad()));
        QVERIFY(near(a.grad(), aRef.grad()));
        QVERIFY(near(b.grad(), bRef.grad()));
        QVERIFY(near(xPlain.grad(), xPlainRef.grad()));
    }

    // Moving a compact model's base (devicemove) turns every projection's storage into tensors,
    // q/k/v and gate/up still sharing one stacked storage each; the placeholders stay meta.
    void movingTheBaseKeepsStoragesShared()
    {
        auto m = fttest::tinyLlama();
        for (int i = 0; i < m->config.numLayers; ++i) {
            LayerWeights &l = m->weights.layers[size_t(i)];
            l.qkvWeight = torch::cat({l.q.weight, l.k.weight, l.v.weight});
            l.gateUpWeight = torch::cat({l.gate.weight, l.up.weight});
            compactLayer(m->weights, l, "model.layers." + std::to_string(i) + ".", BasePrecision::Q4_0);
        }
        const LayerWeights &l = m->weights.layers[0];
        const torch::Tensor q = l.q.compact->dequantized(), down = l.down.compact->dequantized();
        const int64_t bytes = residentWeightBytes(m->weights);
        // Training on the CPU moves nothing: the byte storage and its loops stay.
        moveWeightsTo(m->weights, torch::Device(torch::kCPU));
        QVERIFY(!l.q.compact->tensorStorage() && l.q.weight.is_meta());
        moveCompactBaseTo(m->weights, torch::Device(torch::kCPU));
        QVERIFY(l.q.compact->tensorStorage() && l.down.compact->tensorStorage());
        QCOMPARE(l.q.compact->storageId(), l.k.compact->storageId());
        QCOMPARE(l.q.compact->storageId(), l.qkvCompact->storageId());
        QCOMPARE(l.gate.compact->storageId(), l.up.compact->storageId());
        QVERIFY(torch::equal(l.q.compact->dequantizedTensor(), q));
        QVERIFY(torch::equal(l.down.compact->dequantizedTensor(), down));
        QCOMPARE(residentWeightBytes(m->weights), bytes);
        QVERIFY(l.q.weight.is_meta());
    }

    // A compact base's projections are shape-only placeholders: merging an adapter into them
    // must refuse, not silently do nothing.
    void mergingIntoACompactBaseRefuses()
    {
        auto m = fttest::tinyLlama();
        for (int i = 0; i < m->config.numLayers; ++i) {
            LayerWeights &l = m->weights.layers[size_t(i)];
            // As the loader holds them: q/k/v and gate/up stacked.
            l.qkvWeight = torch::cat({l.q.weight, l.k.weight, l.v.weight});
            l.gateUpWeight = torch::cat({l.gate.weight, l.up.weight});
            compactLayer(m->weights, l, "model.layers." + std::to_string(i) + ".", BasePrecision::Q8_0);
        }
        LoraConfig c;
        c.r = 4;
        c.targetModules = {"q_proj"};
        LoraModel lora(m->config, m->weights, c);
        try {
            lora.mergeAndUnload();
            QFAIL("merging into a compact base did not refuse");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).find("base_precision") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(FrozenLinearTest)
#include "tst_frozenlinear.moc"
