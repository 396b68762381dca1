// Forked segments ([prompt | chosen | rejected], the DPO pair layout): the segment-attention
// kernel and the decoder give what the two sequences give laid out separately.
#include "tinydecoder.h"

#include "model/decoder.h"
#include "model/segmentattention.h"

#include <QString>
#include <QTest>

#include <torch/torch.h>

#include <vector>

using namespace ft;
using fttest::tinyLlama;

namespace {

double maxDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class SegmentForkTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Two sequences sharing a prompt in one forked segment ([prompt | first | second], the second
    // answer's positions continuing from the prompt) give what the two sequences give laid out
    // separately: values of every row and the gradients of q, k, v (the prompt's summed over both
    // sequences), with the segment kernel and with the plain fallback alike.
    void forkedSegmentsMatchSeparateSequences()
    {
        torch::manual_seed(13);
        // Head width 64 runs the flash kernels on the main parts where the CPU has AVX-512.
        for (const int64_t D : {int64_t(8), int64_t(64)}) {
            const int64_t H = 4, Hkv = 2;
            const std::vector<SegmentFork> forks{{6, 9}, {1, 1}, {30, 4}};
            const std::vector<int64_t> seconds{5, 3, 40};
            std::vector<int64_t> forked, separate;  // segment lengths
            std::vector<int64_t> gather;  // separate row -> forked row
            std::vector<int64_t> probeRows;  // separate rows whose probe counts (no prompt twice)
            int64_t start = 0;
            for (size_t s = 0; s < forks.size(); ++s) {
                const int64_t P = forks[s].prompt, A1 = forks[s].firstAnswer, A2 = seconds[s];
                forked.push_back(P + A1 + A2);
                separate.push_back(P + A1);
                separate.push_back(P + A2);
                for (int64_t t = 0; t < P + A1; ++t) {
                    probeRows.push_back(static_cast<int64_t>(gather.size()));
                    gather.push_back(start + t);
                }
                for (int64_t t = 0; t < P; ++t)
                    gather.push_back(start + t);
                for (int64_t t = 0; t < A2; ++t) {
                    probeRows.push_back(static_cast<int64_t>(gather.size()));
                    gather.push_back(start + P + A1 + t);
                }
                start += P + A1 + A2;
            }
            const int64_t N = start;
            torch::Tensor q = torch::randn({1, N, H, D}).requires_grad_(true);
            torch::Tensor k = torch::randn({1, N, Hkv, D}).requires_grad_(true);
            torch::Tensor v = torch::randn({1, N, Hkv, D}).requires_grad_(true);
            const torch::Tensor index = torch::tensor(gather, torch::kInt64);
            const torch::Tensor kept = torch::tensor(probeRows, torch::kInt64);
            // Rows of the separate layout that the forked layout has, in the forked layout's order.
            const torch::Tensor forkedOrder = torch::empty({N}, torch::kInt64).index_put_({index.index_select(0, kept)}, kept);
            const torch::Tensor probe = torch::randn({1, N, H * D});
            const auto gradsOf = [&](const torch::Tensor &loss) {
                for (auto t : {q, k, v})
                    t.mutable_grad() = torch::Tensor();
                loss.backward();
                return std::vector<torch::Tensor>{q.grad().clone(), k.grad().clone(), v.grad().clone()};
            };
            const torch::Tensor fast = segmentAttention(q, k, v, forked, forks);
            const auto fastGrads = gradsOf((fast * probe).sum());
            const auto sep = [&](const torch::Tensor &x) { return x.index_select(1, index); };
            const torch::Tensor apart = segmentAttention(sep(q), sep(k), sep(v), separate).index_select(1, forkedOrder);
            QVERIFY((fast - apart).abs().max().item<double>() < 1e-5);
            const auto apartGrads = gradsOf((apart * probe).sum());
            for (size_t i = 0; i < fastGrads.size(); ++i)
                QVERIFY2((fastGrads[i] - apartGrads[i]).abs().max().item<double>() < 1e-5,
                         qPrintable(QString("gradient %1").arg(i)));
            // The masked block matters: a plain segment over the same rows gives other values.
            QVERIFY((segmentAttention(q, k, v, forked) - apart).abs().max().item<double>() > 1e-3);
        }

        // Through the decoder, no graph (the reference pass): with the segment kernel (float32)
        // and with the plain path (float64), a pair's forked segment gives the final hidden
        // states of prompt + chosen and of prompt + rejected run one by one.
        for (const torch::Dtype dtype : {torch::kFloat32, torch::kFloat64}) {
            const auto model = tinyLlama(5, dtype);
            torch::NoGradGuard noGrad;
            const torch::Tensor prompt = torch::randint(48, {7}), first = torch::randint(48, {4});
            const torch::Tensor second = torch::randint(48, {6});
            ForwardInputs in;
            in.ids = torch::cat({prompt, first, second}).unsqueeze(0);
            in.positions = torch::cat({torch::arange(11), torch::arange(7, 13)}).unsqueeze(0);
            in.segments = {17};
            in.forks = {SegmentFork{7, 4}};
            in.allPositions = true;
            in.hiddenOnly = true;
            const torch::Tensor both = model->decoder->forward(in)[0];
            const auto alone = [&](const torch::Tensor &answer) {
                ForwardInputs one;
                one.ids = torch::cat({prompt, answer}).unsqueeze(0);
                one.allPositions = true;
                one.hiddenOnly = true;
                return model->decoder->forward(one)[0];
            };
            const double tolerance = dtype == torch::kFloat32 ? 1e-5 : 1e-10;
            QVERIFY(maxDiff(both.narrow(0, 0, 11), alone(first)) < tolerance);
            const torch::Tensor withSecond = alone(second);
            QVERIFY(maxDiff(both.narrow(0, 0, 7), withSecond.narrow(0, 0, 7)) < tolerance);
            QVERIFY(maxDiff(both.narrow(0, 11, 6), withSecond.narrow(0, 7, 6)) < tolerance);
        }
    }
};

QTEST_MAIN(SegmentForkTest)
#include "tst_segmentfork.moc"
