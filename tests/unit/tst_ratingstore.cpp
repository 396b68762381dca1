// Blind verdicts in a project: stored in one transaction in the comparisons / ratings tables,
// read back in order with both outputs and the tuned side, counted as a win rate; a vote maps to
// tuned / base by the side the tuned answer was shown on; bad verdicts are BadInput.

#include "ft/error.h"
#include "ft/project.h"
#include "ft/ratingstore.h"

#include <QTemporaryDir>
#include <QTest>

class TestRatingStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void votesMapToVerdicts();
    void storeAndReadBack();
    void badVerdictIsRejected();
};

void TestRatingStore::votesMapToVerdicts()
{
    QCOMPARE(ft::verdictForVote("A", "A"), std::string("tuned"));
    QCOMPARE(ft::verdictForVote("B", "A"), std::string("base"));
    QCOMPARE(ft::verdictForVote("B", "B"), std::string("tuned"));
    QCOMPARE(ft::verdictForVote("tie", "B"), std::string("tie"));
    QVERIFY_THROWS_EXCEPTION(ft::Error, ft::verdictForVote("C", "A"));
}

void TestRatingStore::storeAndReadBack()
{
    QTemporaryDir dir;
    const std::string file = dir.filePath(QStringLiteral("p.ftproj")).toStdString();
    {
        ft::ProjectStore store(file);
        QCOMPARE(ft::winRate(store).total(), int64_t(0));
        for (const char *verdict : {"tuned", "tie", "tuned", "base"}) {
            ft::RatedComparison c;
            c.prompt = std::string("prompt ") + verdict;
            c.baseOutput = "base answer";
            c.tunedOutput = "tuned answer";
            c.tuned = "/runs/r1/final";
            c.tunedSide = "B";
            c.verdict = verdict;
            c.note = "why";
            c.settings = {{"seed", 7}};
            QVERIFY(ft::addRatedComparison(store, c) > 0);
        }
    }
    ft::ProjectStore store(file, true);  // reopened: it was committed
    const auto rated = ft::ratedComparisons(store);
    QCOMPARE(int(rated.size()), 4);
    QCOMPARE(rated[1].prompt, std::string("prompt tie"));
    QCOMPARE(rated[1].verdict, std::string("tie"));
    QCOMPARE(rated[3].baseOutput, std::string("base answer"));
    QCOMPARE(rated[3].tunedOutput, std::string("tuned answer"));
    QCOMPARE(rated[3].tunedSide, std::string("B"));
    QCOMPARE(rated[3].tuned, std::string("/runs/r1/final"));
    QCOMPARE(rated[3].settings.value("seed", 0), 7);
    QVERIFY(!rated[0].createdAt.empty());
    const ft::WinRate rate = ft::winRate(store);
    QCOMPARE(rate.wins, int64_t(2));
    QCOMPARE(rate.ties, int64_t(1));
    QCOMPARE(rate.losses, int64_t(1));
    QCOMPARE(rate.rate, 2.0 / 3);  // ties left out, as the sign test does
}

void TestRatingStore::badVerdictIsRejected()
{
    QTemporaryDir dir;
    ft::ProjectStore store(dir.filePath(QStringLiteral("p.ftproj")).toStdString());
    ft::RatedComparison c;
    c.tunedSide = "A";
    c.verdict = "maybe";
    QVERIFY_THROWS_EXCEPTION(ft::Error, ft::addRatedComparison(store, c));
    c.verdict = "tuned";
    c.tunedSide = "left";
    QVERIFY_THROWS_EXCEPTION(ft::Error, ft::addRatedComparison(store, c));
    QCOMPARE(int(ft::ratedComparisons(store).size()), 0);
}

QTEST_APPLESS_MAIN(TestRatingStore)
#include "tst_ratingstore.moc"
