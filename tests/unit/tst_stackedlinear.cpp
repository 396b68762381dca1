// Full fine-tuning's stacked projection groups (model/stackedlinear.h): one GEMM over the stacked
// weight gives each projection's output and gradients, as separate linear maps do.
#include "model/stackedlinear.h"

#include <QString>
#include <QTest>

#include <torch/torch.h>

#include <vector>

using namespace ft;

class StackedLinearTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // q/k/v-like rows of one stacked matrix, trained as views: output, the input's gradient and
    // each weight's gradient equal those of three separate torch::linear calls.
    void matchesSeparateLinearMaps()
    {
        torch::manual_seed(5);
        const std::vector<int64_t> rows{12, 4, 4};
        const torch::Tensor stacked = torch::randn({20, 16});
        std::vector<torch::Tensor> views, copies;
        int64_t row = 0;
        for (int64_t r : rows) {
            views.push_back(stacked.narrow(0, row, r).set_requires_grad(true));
            copies.push_back(stacked.narrow(0, row, r).clone().set_requires_grad(true));
            row += r;
        }
        const torch::Tensor input = torch::randn({2, 7, 16});
        torch::Tensor x1 = input.clone().set_requires_grad(true), x2 = input.clone().set_requires_grad(true);
        QVERIFY(trainableStackedLinearApplies(x1, stacked, views, {}));

        const torch::Tensor fast = trainableStackedLinear(x1, stacked, views);
        std::vector<torch::Tensor> parts;
        for (const torch::Tensor &w : copies)
            parts.push_back(torch::linear(x2, w));
        const torch::Tensor slow = torch::cat(parts, -1);
        QCOMPARE(fast.sizes().vec(), slow.sizes().vec());
        QVERIFY((fast - slow).abs().max().item<double>() < 1e-5);

        const torch::Tensor probe = torch::randn(fast.sizes());
        (fast * probe).sum().backward();
        (slow * probe).sum().backward();
        QVERIFY((x1.grad() - x2.grad()).abs().max().item<double>() < 1e-4);
        for (size_t i = 0; i < views.size(); ++i) {
            QVERIFY2(views[i].grad().defined(), qPrintable(QString("weight %1").arg(i)));
            QCOMPARE(views[i].grad().sizes().vec(), copies[i].sizes().vec());
            QVERIFY2((views[i].grad() - copies[i].grad()).abs().max().item<double>() < 1e-4,
                     qPrintable(QString("weight %1").arg(i)));
        }
    }

    // Only row views of the stacked matrix, in order, all training, without biases, and only
    // while gradients are recorded.
    void appliesOnlyToTrainingRowViews()
    {
        const torch::Tensor stacked = torch::randn({8, 4});
        const torch::Tensor x = torch::randn({3, 4});
        auto view = [&](int64_t from, int64_t rows, bool trains = true) {
            return stacked.narrow(0, from, rows).set_requires_grad(trains);
        };
        QVERIFY(trainableStackedLinearApplies(x, stacked, {view(0, 5), view(5, 3)}, {}));
        QVERIFY(!trainableStackedLinearApplies(x, stacked, {view(5, 3), view(0, 5)}, {}));
        QVERIFY(!trainableStackedLinearApplies(x, stacked, {view(0, 5), view(5, 3, false)}, {}));
        QVERIFY(!trainableStackedLinearApplies(x, stacked, {view(0, 5)}, {}));
        QVERIFY(!trainableStackedLinearApplies(
            x, stacked, {view(0, 5), stacked.narrow(0, 5, 3).clone().set_requires_grad(true)}, {}));
        QVERIFY(!trainableStackedLinearApplies(x, stacked, {view(0, 5), view(5, 3)},
                                               {torch::zeros({5}), torch::zeros({3})}));
        QVERIFY(!trainableStackedLinearApplies(x.narrow(0, 0, 1).squeeze(0), stacked,
                                               {view(0, 5), view(5, 3)}, {}));
        torch::NoGradGuard noGrad;
        QVERIFY(!trainableStackedLinearApplies(x, stacked, {view(0, 5), view(5, 3)}, {}));
    }
};

QTEST_MAIN(StackedLinearTest)
#include "tst_stackedlinear.moc"
