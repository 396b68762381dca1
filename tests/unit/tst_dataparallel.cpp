// Data parallelism's parts without torchrun: torchrun's environment read and checked, gradient
// buckets, and two ranks of a real Gloo group (two threads of this process on loopback) summing
// gradients, one of them without a gradient for some tensors, and sharing rank 0's weights; the
// sum overlapped with a backward pass; ZeRO stage 1's sharded AdamW against one process's.
#include "dist/dataparallel.h"
#include "dist/gradientbuckets.h"
#include "dist/overlappedgradientsum.h"
#include "dist/zerostage1.h"
#include "ft/error.h"
#include "ft/torchrun.h"

#include <QTest>

#include <torch/torch.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace {

const char *const kVariables[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                                  "MASTER_PORT", "TORCHELASTIC_RESTART_COUNT", "TORCHELASTIC_RUN_ID",
                                  "TORCHELASTIC_USE_AGENT_STORE", "FT_DIST_STORE_PORT"};

void clearLaunch()
{
    for (const char *name : kVariables)
        ::unsetenv(name);
}

int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// Runs body(rank, group) on two threads, each a rank of one Gloo group.
void onTwoRanks(const std::function<void(int, ft::DataParallel &)> &body)
{
    static int groups = 0;
    const std::string name = "test-" + std::to_string(groups++);
    const int port = freePort();
    std::exception_ptr failure[2];
    std::vector<std::thread> threads;
    for (int rank = 0; rank < 2; ++rank)
        threads.emplace_back([&, rank] {
            try {
                ft::TorchrunLaunch launch;
                launch.rank = rank;
                launch.worldSize = 2;
                launch.localRank = rank;
                launch.localWorldSize = 2;
                launch.masterAddr = "127.0.0.1";
                launch.masterPort = port;
                launch.runId = "tst_dataparallel";
                ft::DataParallel group(launch, "cpu", std::chrono::seconds(20), name);
                body(rank, group);
            } catch (...) {
                failure[rank] = std::current_exception();
            }
        });
    for (auto &t : threads)
        t.join();
    for (auto &f : failure)
        if (f)
            std::rethrow_exception(f);
}

} // namespace

class TestDataParallel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { clearLaunch(); }
    void cleanupTestCase() { clearLaunch(); }

    void noTorchrunIsOneProcess()
    {
        QVERIFY(!ft::torchrunLaunch());
        QVERIFY(ft::isLeadProcess());
    }

    void readsTorchrunsEnvironment()
    {
        ::setenv("RANK", "3", 1);
        ::setenv("WORLD_SIZE", "4", 1);
        ::setenv("LOCAL_RANK", "1", 1);
        ::setenv("LOCAL_WORLD_SIZE", "2", 1);
        ::setenv("MASTER_ADDR", "node0", 1);
        ::setenv("MASTER_PORT", "29500", 1);
        ::setenv("TORCHELASTIC_RESTART_COUNT", "2", 1);
        ::setenv("TORCHELASTIC_USE_AGENT_STORE", "True", 1);
        const auto launch = ft::torchrunLaunch();
        QVERIFY(launch);
        QCOMPARE(launch->rank, 3);
        QCOMPARE(launch->worldSize, 4);
        QCOMPARE(launch->localRank, 1);
        QCOMPARE(launch->localWorldSize, 2);
        QCOMPARE(launch->masterAddr, std::string("node0"));
        QCOMPARE(launch->masterPort, 29500);
        QCOMPARE(launch->restartCount, 2);
        QVERIFY(launch->agentStore);
        QVERIFY(!ft::isLeadProcess());
    }

    void badEnvironmentNamesTheVariable_data()
    {
        QTest::addColumn<QString>("rank");
        QTest::addColumn<QString>("worldSize");
        QTest::addColumn<QString>("port");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("rank past the world") << "2" << "2" << "29500" << "RANK=2";
        QTest::newRow("not a number") << "x" << "2" << "29500" << "RANK=x";
        QTest::newRow("world of 0") << "0" << "0" << "29500" << "WORLD_SIZE=0";
        QTest::newRow("no port") << "0" << "2" << "" << "MASTER_PORT";
        QTest::newRow("port too large") << "0" << "2" << "70000" << "MASTER_PORT=70000";
        QTest::newRow("rank without world") << "0" << "" << "29500" << "WORLD_SIZE is not";
    }
    void badEnvironmentNamesTheVariable()
    {
        QFETCH(QString, rank);
        QFETCH(QString, worldSize);
        QFETCH(QString, port);
        QFETCH(QString, mentions);
        ::setenv("RANK", rank.toUtf8().constData(), 1);
        if (!worldSize.isEmpty())
            ::setenv("WORLD_SIZE", worldSize.toUtf8().constData(), 1);
        ::setenv("MASTER_ADDR", "localhost", 1);
        if (!port.isEmpty())
            ::setenv("MASTER_PORT", port.toUtf8().constData(), 1);
        try {
            ft::torchrunLaunch();
            QFAIL("no error");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
            QVERIFY2(QString::fromUtf8(e.what()).contains(mentions), e.what());
        }
    }

    void bucketsKeepOrderCapAndDtype()
    {
        using Buckets = std::vector<std::vector<size_t>>;
        const std::vector<ft::BucketItem> items{{40, 0}, {40, 0}, {40, 0}, {200, 0}, {10, 1}, {10, 1}, {10, 0}};
        QCOMPARE(ft::gradientBuckets(items, 100), (Buckets{{0, 1}, {2}, {3}, {4, 5}, {6}}));
        QCOMPARE(ft::gradientBuckets(items, 0), (Buckets{{0, 1, 2, 3}, {4, 5}, {6}}));
        QVERIFY(ft::gradientBuckets({}, 100).empty());
    }

    void twoRanksSumGradientsInBuckets()
    {
        // Rank r's gradient of tensor i: (r + 1) * (i + 1); tensor 2 has none on rank 1, tensor 3
        // none anywhere. Buckets of 64 bytes: several per call.
        std::vector<std::vector<torch::Tensor>> params(2);
        onTwoRanks([&](int rank, ft::DataParallel &group) {
            QCOMPARE(group.sumOverRanks({1.5, double(rank)}), (std::vector<double>{3.0, 1.0}));
            for (int i = 0; i < 4; ++i) {
                torch::Tensor p = torch::zeros({3, 5}, torch::requires_grad());
                if (i < 2 || (i == 2 && rank == 0))
                    p.mutable_grad() = torch::full({3, 5}, double((rank + 1) * (i + 1)));
                params[rank].push_back(p);
            }
            group.sumGradients(params[rank], 64);
        });
        for (int rank = 0; rank < 2; ++rank) {
            for (int i = 0; i < 2; ++i)
                QVERIFY(torch::equal(params[rank][i].grad(), torch::full({3, 5}, 3.0 * (i + 1))));
            QVERIFY(torch::equal(params[rank][2].grad(), torch::full({3, 5}, 3.0)));
            QVERIFY(!params[rank][3].grad().defined());  // the optimizer skips it, as one process does
        }
    }

    void gradientSumOverlapsTheBackwardPass()
    {
        // A chain of 6 parameters, one per bucket (16-byte cap): every bucket's sum starts inside
        // the backward pass, and the gradient an earlier micro-batch accumulated is part of it.
        const int kParams = 6;
        auto values = [](int rank, int i) { return torch::full({4}, 0.5 + 0.1 * i + rank); };
        auto chain = [](const std::vector<torch::Tensor> &params, double scale) {
            torch::Tensor x = torch::ones({4}) * scale;
            for (const auto &p : params)
                x = x * p;
            return x.sum();
        };
        std::vector<std::vector<torch::Tensor>> params(2);
        size_t early[2] = {0, 0};
        onTwoRanks([&](int rank, ft::DataParallel &group) {
            for (int i = 0; i < kParams; ++i)
                params[rank].push_back(values(rank, i).requires_grad_());
            chain(params[rank], 1.0).backward();  // an earlier micro-batch: no sum yet
            ft::OverlappedGradientSum sum(group, params[rank], 16);
            chain(params[rank], 2.0).backward();
            early[rank] = sum.bucketsStartedEarly();
            sum.finish();
        });
        torch::Tensor expected[kParams];
        for (int rank = 0; rank < 2; ++rank) {
            std::vector<torch::Tensor> local;
            for (int i = 0; i < kParams; ++i)
                local.push_back(values(rank, i).requires_grad_());
            chain(local, 1.0).backward();
            chain(local, 2.0).backward();
            for (int i = 0; i < kParams; ++i)
                expected[i] = rank == 0 ? local[i].grad().clone() : expected[i] + local[i].grad();
        }
        for (int rank = 0; rank < 2; ++rank) {
            QCOMPARE(early[rank], size_t(kParams));
            for (int i = 0; i < kParams; ++i)
                QVERIFY2(torch::allclose(params[rank][i].grad(), expected[i], 1e-6, 0), std::to_string(i).c_str());
        }
    }

    void zeroOwnersBalanceAndKeepEarlierOwners()
    {
        QCOMPARE(ft::zeroOwners({16, 16, 8, 8}, 2), (std::vector<int>{0, 1, 0, 1}));
        QCOMPARE(ft::zeroOwners({32, 4, 12, 3}, 2), (std::vector<int>{0, 1, 1, 1}));
        // Appending parameters (progressive unfreezing) leaves the earlier owners as they were.
        QCOMPARE(ft::zeroOwners({32, 4, 12, 3, 40, 1}, 2), (std::vector<int>{0, 1, 1, 1, 1, 0}));
        QCOMPARE(ft::zeroOwners({5, 5, 5}, 1), (std::vector<int>{0, 0, 0}));
    }

    void zeroStage1HalvesTheStateAndStepsAsOneProcess()
    {
        // Two ranks, AdamW with ZeRO stage 1, three steps; against one process's AdamW over the
        // summed gradients. Parameters of 16, 16, 8 and 8 elements: 24 per rank.
        const std::vector<std::vector<int64_t>> shapes{{4, 4}, {16}, {2, 4}, {8}};
        auto start = [&](size_t i) {
            const int64_t n = shapes[i][0] * (shapes[i].size() > 1 ? shapes[i][1] : 1);
            return (torch::arange(n, torch::kFloat) * 0.01 + 0.1 * double(i)).reshape(shapes[i]);
        };
        auto gradient = [&](int rank, int step, size_t i) {
            return torch::sin(start(i) * double(rank + 1) + double(step));
        };
        const auto options = torch::optim::AdamWOptions(0.05).weight_decay(0.01);
        std::vector<std::vector<torch::Tensor>> params(2);
        int64_t shareElements[2] = {0, 0};
        int64_t gatheredElements[2] = {0, 0};
        int64_t afterRelease[2] = {0, 0};
        std::vector<torch::Tensor> gatheredExpAvgSq;
        onTwoRanks([&](int rank, ft::DataParallel &group) {
            for (size_t i = 0; i < shapes.size(); ++i)
                params[rank].push_back(start(i).requires_grad_());
            torch::optim::AdamW optimizer(params[rank], options);
            ft::ZeroStage1 zero(group);
            for (int step = 0; step < 3; ++step) {
                for (size_t i = 0; i < shapes.size(); ++i)
                    params[rank][i].mutable_grad() = gradient(rank, step, i);
                group.sumGradients(params[rank]);
                zero.dropOthersGradients(optimizer);
                optimizer.step();
                zero.shareUpdatedParameters(optimizer);
                optimizer.zero_grad();
            }
            shareElements[rank] = ft::ZeroStage1::stateElements(optimizer);
            zero.gatherToLead(optimizer);
            gatheredElements[rank] = ft::ZeroStage1::stateElements(optimizer);
            if (rank == 0)
                for (const auto &p : params[rank])
                    gatheredExpAvgSq.push_back(
                        static_cast<torch::optim::AdamWParamState &>(
                            *optimizer.state().at(c10::guts::to_string(p.unsafeGetTensorImpl())))
                            .exp_avg_sq()
                            .clone());
            zero.releaseGathered(optimizer);
            afterRelease[rank] = ft::ZeroStage1::stateElements(optimizer);
        });
        std::vector<torch::Tensor> reference;
        for (size_t i = 0; i < shapes.size(); ++i)
            reference.push_back(start(i).requires_grad_());
        torch::optim::AdamW one(reference, options);
        for (int step = 0; step < 3; ++step) {
            for (size_t i = 0; i < shapes.size(); ++i)
                reference[i].mutable_grad() = gradient(0, step, i) + gradient(1, step, i);
            one.step();
            one.zero_grad();
        }
        const int64_t whole = ft::ZeroStage1::stateElements(one);
        QCOMPARE(whole, int64_t(96));
        QCOMPARE(shareElements[0], whole / 2);
        QCOMPARE(shareElements[1], whole / 2);
        QCOMPARE(gatheredElements[0], whole);         // rank 0 holds all of it for a checkpoint
        QCOMPARE(gatheredElements[1], whole / 2);
        QCOMPARE(afterRelease[0], whole / 2);
        for (int rank = 0; rank < 2; ++rank)
            for (size_t i = 0; i < shapes.size(); ++i)
                QVERIFY2(torch::allclose(params[rank][i], reference[i], 0, 1e-6), std::to_string(i).c_str());
        for (size_t i = 0; i < shapes.size(); ++i) {
            const auto &s = static_cast<torch::optim::AdamWParamState &>(
                *one.state().at(c10::guts::to_string(reference[i].unsafeGetTensorImpl())));
            QVERIFY(torch::equal(gatheredExpAvgSq[i], s.exp_avg_sq()));
        }
    }

    void ranksStartFromRankZerosWeights()
    {
        std::vector<torch::Tensor> weights(2);
        onTwoRanks([&](int rank, ft::DataParallel &group) {
            weights[rank] = torch::full({4, 4}, double(rank + 7), torch::requires_grad());
            group.broadcastFromLead({weights[rank]});
        });
        QVERIFY(torch::equal(weights[1], torch::full({4, 4}, 7.0)));
        QVERIFY(weights[1].requires_grad());
    }

    void aRankThatLeavesEndsTheOtherWithAClearError()
    {
        std::string message;
        onTwoRanks([&](int rank, ft::DataParallel &group) {
            if (rank == 1)
                return;  // leaves the group: its end of the connections closes
            try {
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                group.sumOverRanks({1.0});
            } catch (const ft::Error &e) {
                message = e.what();
            }
        });
        QVERIFY2(message.find("rank 0 of 2") != std::string::npos &&
                     message.find("another process stopped") != std::string::npos,
                 message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "tst_dataparallel.moc"
