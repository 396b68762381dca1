// Domain-test metrics and statistics on small hand-checked cases (the ~200-pair comparison with
// the reference libraries is tests/interop/test_eval_metrics.py): SQuAD EM/F1 and the Chinese
// variant, ROUGE-L, sacrebleu's tokenizers and BLEU with smoothing, label accuracy, row checks,
// Wilson, sign test, the bootstrap's determinism and coverage, and the edge cases (empty text,
// no overlap, all ties).
#include "ft/domainscore.h"
#include "ft/error.h"
#include "ft/evalmetrics.h"
#include "ft/evalstats.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>
#include <random>

namespace {

bool near(double a, double b, double tol = 1e-9)
{
    return std::abs(a - b) <= tol;
}

} // namespace

class TestEvalMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void squadNormalisation_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("normalized");
        QTest::newRow("case, punctuation, article") << "The Cat!" << "cat";
        QTest::newRow("articles are whole words") << "an anthem, a theory" << "anthem theory";
        QTest::newRow("white space") << "  two\t\u3000words \n" << "two words";
        QTest::newRow("underscore is punctuation") << "_the_ the" << "";
        QTest::newRow("article inside a longer word") << "the2 thé the中 the" << "the2 thé the中";
        QTest::newRow("chinese kept") << "巴黎，是首都。" << "巴黎，是首都。";
        QTest::newRow("empty") << "" << "";
    }
    void squadNormalisation()
    {
        QFETCH(QString, text);
        QFETCH(QString, normalized);
        QCOMPARE(QString::fromStdString(ft::squadNormalize(text.toStdString())), normalized);
    }

    void exactMatchAndF1()
    {
        QCOMPARE(ft::exactMatch("The Cat!", "cat"), 1.0);
        QCOMPARE(ft::exactMatch("cat", "dog"), 0.0);
        QCOMPARE(ft::exactMatch("", ""), 1.0);  // SQuAD v1.1: equal empty strings match
        // pred {cat, sat}, ref {cat, sat, down}: P = 1, R = 2/3, F1 = 0.8
        QVERIFY(near(ft::tokenF1("the cat sat", "a cat sat down"), 0.8));
        QCOMPARE(ft::tokenF1("", ""), 0.0);  // v1.1: no common token, 0
        QCOMPARE(ft::tokenF1("", "cat"), 0.0);
        QCOMPARE(ft::tokenF1("no overlap", "at all"), 0.0);
        // repeated words count as often as both sides have them: {x x y} vs {x y y} -> 2 common
        QVERIFY(near(ft::tokenF1("x x y", "x y y"), 2.0 / 3.0));
    }

    void chineseF1()
    {
        using ft::TextLanguage;
        QCOMPARE(ft::tokenF1("巴黎是首都", "首都是巴黎", TextLanguage::English), 0.0);
        QVERIFY(near(ft::tokenF1("巴黎是首都", "首都是巴黎", TextLanguage::Chinese), 1.0));
        QVERIFY(near(ft::tokenF1("巴黎。", "巴黎", TextLanguage::Chinese), 1.0));  // 。 removed
        // "GPT4模型" -> gpt4, 模, 型; "gpt4 模型 好" -> gpt4, 模, 型, 好: P = 1, R = 3/4
        QVERIFY(near(ft::tokenF1("GPT4模型", "gpt4 模型 好", TextLanguage::Chinese),
                     2 * 1.0 * 0.75 / 1.75));
        QVERIFY(ft::containsCjk("abc 中"));
        QVERIFY(!ft::containsCjk("abc é"));
    }

    void rougeL()
    {
        // LCS("the cat was on the mat", "the cat sat on the mat") = 5 of 6 each way
        const ft::RougeScore s = ft::rougeL("the cat sat on the mat", "the cat was on the mat");
        QVERIFY(near(s.precision, 5.0 / 6) && near(s.recall, 5.0 / 6) && near(s.fmeasure, 5.0 / 6));
        const ft::RougeScore shorter = ft::rougeL("cat mat", "the cat sat on the mat");
        QVERIFY(near(shorter.precision, 1.0) && near(shorter.recall, 2.0 / 6));
        QCOMPARE(ft::rougeL("", "cat").fmeasure, 0.0);
        QCOMPARE(ft::rougeL("dog", "cat").fmeasure, 0.0);
        // rouge_score's default tokenizer drops everything outside [a-z0-9], Chinese too.
        QCOMPARE(ft::rougeL("巴黎", "巴黎").fmeasure, 0.0);
        QVERIFY(near(ft::rougeL("巴黎", "巴黎", ft::TextLanguage::Chinese).fmeasure, 1.0));
        QVERIFY(near(ft::rougeL("黎巴", "巴黎", ft::TextLanguage::Chinese).fmeasure, 0.5));
        // Python's lower(): 'İ' becomes 'i' + U+0307, which then separates.
        QCOMPARE(ft::rougeTokens("İstanbul, C++", ft::TextLanguage::English),
                 (std::vector<std::string>{"i", "stanbul", "c"}));
    }

    void bleuTokenizers_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("chinese");
        QTest::addColumn<QString>("tokens");
        QTest::newRow("13a punctuation") << "Hello, world!" << false << "Hello , world !";
        QTest::newRow("13a numbers") << "3.5 and 1,000 in 2020-21." << false
                                     << "3.5 and 1,000 in 2020 - 21 .";
        QTest::newRow("13a entities") << "A&amp;B &lt;x&gt;" << false << "A & B < x >";
        QTest::newRow("13a skipped, apostrophe") << "<skipped>it's ok" << false << "it's ok";
        QTest::newRow("zh characters") << "巴黎是首都。" << true << "巴 黎 是 首 都 。";
        QTest::newRow("zh mixed") << "GPT-4模型，2.5版" << true << "GPT-4 模 型 ， 2.5 版";
        QTest::newRow("zh quotes split") << "say“hi”" << true << "say “ hi ”";
        QTest::newRow("zh leaves entities") << "&amp;" << true << "& amp ;";
    }
    void bleuTokenizers()
    {
        QFETCH(QString, text);
        QFETCH(bool, chinese);
        QFETCH(QString, tokens);
        const auto tok = chinese ? ft::BleuTokenizer::Chinese : ft::BleuTokenizer::Mteval13a;
        QCOMPARE(QString::fromStdString(ft::bleuTokenize(text.toStdString(), tok)), tokens);
    }

    void bleuScores()
    {
        const auto tok = ft::BleuTokenizer::Mteval13a;
        // n-gram precisions 5/6, 3/5, 2/4, 1/3; equal lengths, BP = 1
        const ft::BleuScore s = ft::sentenceBleu("the cat sat on the mat", "the cat sat on a mat", tok);
        QVERIFY(near(s.score, 100 * std::pow(5.0 / 6 * 3.0 / 5 * 2.0 / 4 * 1.0 / 3, 0.25)));
        QCOMPARE(s.stats.matches[0], int64_t(5));  // "the" clipped to its one use in the ref
        QVERIFY(near(ft::corpusBleu({"a b c d", "e f g h"}, {"a b c d", "e f g h"}, tok).score, 100));
        // 'exp' smoothing: 2-gram precision 100 / (2 * 1) = 50; effective order 2
        QVERIFY(near(ft::sentenceBleu("the cat", "the dog", tok).score, 50.0));
        // ... but corpus BLEU (no effective order) with no 3-grams is 0
        QCOMPARE(ft::corpusBleu({"the cat"}, {"the dog"}, tok).score, 0.0);
        // brevity penalty: 3 of 6 reference tokens -> exp(1 - 2)
        const ft::BleuScore shortHyp = ft::sentenceBleu("a b c", "a b c d e f", tok);
        QVERIFY(near(shortHyp.brevityPenalty, std::exp(-1.0)));
        QVERIFY(near(shortHyp.score, 100 * std::exp(-1.0)));
        QCOMPARE(ft::sentenceBleu("", "a b", tok).score, 0.0);
        QCOMPARE(ft::sentenceBleu("a b", "", tok).score, 0.0);
        QCOMPARE(ft::sentenceBleu("x y z", "a b c", tok).score, 0.0);
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::corpusBleu({"a"}, {}, tok));
    }

    void labelAccuracy()
    {
        ft::LabelAccuracy acc({"Positive", "negative"});
        QCOMPARE(acc.add("positive.", "positive"), 1);
        QCOMPARE(acc.add("The answer is negative", "negative"), 0);  // not a label: (other)
        QCOMPARE(acc.add("positive", "negative"), 0);
        QCOMPARE(acc.add("x", "neutral"), -1);  // reference outside the labels: not counted
        QCOMPARE(acc.rows(), int64_t(3));
        QVERIFY(near(acc.accuracy(), 1.0 / 3));
        QCOMPARE(acc.confusion()[0][0], int64_t(1));
        QCOMPARE(acc.confusion()[1][2], int64_t(1));  // negative -> (other)
        QCOMPARE(acc.confusion()[1][0], int64_t(1));
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::LabelAccuracy({"Yes", "yes!"}));
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::LabelAccuracy(std::vector<std::string>{}));
    }

    void rowChecks()
    {
        using Outcome = ft::RowCheck::Outcome;
        const ft::RowCheck json("json");
        QCOMPARE(json.check(" {\"a\": [1, 2]} "), Outcome::Pass);
        QCOMPARE(json.check("{\"a\": }"), Outcome::Fail);
        QCOMPARE(json.check(""), Outcome::Fail);
        const ft::RowCheck contains("contains:元");
        QCOMPARE(contains.check("5 元"), Outcome::Pass);
        QCOMPARE(contains.check("5 yuan"), Outcome::Fail);
        const ft::RowCheck regex("regex:\\p{Han}{2}\\d");
        QCOMPARE(regex.check("abc 总额5"), Outcome::Pass);
        QCOMPARE(regex.check("abc 总5"), Outcome::Fail);
        const ft::RowCheck catastrophic("regex:^(a+)+$");
        QCOMPARE(catastrophic.check(std::string(40, 'a') + "b"), Outcome::LimitReached);
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::RowCheck("regex:(open"));
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::RowCheck("contains:"));
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::RowCheck("startswith:x"));
    }

    void wilsonAndSignTest()
    {
        // statsmodels proportion_confint(30, 48, method='wilson'); scipy binomtest(30, 48)
        const ft::Interval w = ft::wilsonInterval(30, 48);
        QVERIFY(near(w.low, 0.4836276351921526, 1e-12) && near(w.high, 0.747847332391318, 1e-12));
        QVERIFY(near(ft::signTestPValue(30, 18), 0.11140289106101878, 1e-12));
        QVERIFY(near(ft::signTestPValue(7, 0), 2.0 / 128, 1e-15));  // both all-one-way tails
        QCOMPARE(ft::signTestPValue(5, 5), 1.0);
        QCOMPARE(ft::signTestPValue(1, 2), 1.0);
        QCOMPARE(ft::signTestPValue(0, 0), 1.0);
        const ft::Interval none = ft::wilsonInterval(0, 0);
        QVERIFY(none.low == 0.0 && none.high == 1.0);
        const ft::Interval all = ft::wilsonInterval(10, 10);
        QCOMPARE(all.high, 1.0);
        QVERIFY(all.low > 0.6 && all.low < 0.75);
        // A large, lopsided count stays finite and tiny.
        const double p = ft::signTestPValue(900, 100);
        QVERIFY(p > 0 && p < 1e-100);
    }

    void verdicts()
    {
        const ft::WinRate ties = ft::winRate(0, 0, 12);  // all ties: nothing to tell
        QCOMPARE(ties.rate, 0.5);
        QCOMPARE(ties.verdict, ft::Verdict::NotEnoughEvidence);
        QCOMPARE(ft::winRate(20, 2, 0).verdict, ft::Verdict::FirstBetter);
        QCOMPARE(ft::winRate(2, 20, 0).verdict, ft::Verdict::SecondBetter);
        QCOMPARE(ft::winRate(30, 18, 4).verdict, ft::Verdict::NotEnoughEvidence);  // p = 0.11
        QCOMPARE(QString(ft::verdictName(ft::Verdict::NotEnoughEvidence)),
                 QString("not enough votes to tell"));
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::winRate(-1, 2, 0));
    }

    void percentiles()
    {
        QVERIFY(near(ft::percentileLinear({4, 1, 3, 2}, 50), 2.5));
        QVERIFY(near(ft::percentileLinear({1, 2, 3, 4}, 2.5), 1.075));  // numpy: 1 + 0.075
        QVERIFY(near(ft::percentileLinear({1, 2, 3, 4}, 100), 4));
    }

    void bootstrapDeterminismAndEdges()
    {
        std::vector<double> a{1, 0, 1, 1, 0, 1, 1, 0.5}, b{0, 0, 1, 0, 0, 1, 0.5, 0.5};
        const ft::BootstrapResult r1 = ft::bootstrapMeanDifference(a, b);
        const ft::BootstrapResult r2 = ft::bootstrapMeanDifference(a, b);
        QCOMPARE(r1.interval.low, r2.interval.low);
        QCOMPARE(r1.interval.high, r2.interval.high);
        QVERIFY(near(r1.estimate, 2.5 / 8));
        QVERIFY(r1.interval.low <= r1.estimate && r1.estimate <= r1.interval.high);
        ft::BootstrapOptions other;
        other.seed = 7;
        const ft::BootstrapResult r3 = ft::bootstrapMeanDifference(a, b, other);
        QCOMPARE(r3.estimate, r1.estimate);
        // All ties: every resample's difference is 0.
        const ft::BootstrapResult same = ft::bootstrapMeanDifference(a, a);
        QVERIFY(same.interval.low == 0.0 && same.interval.high == 0.0);
        QCOMPARE(same.verdict, ft::Verdict::NotEnoughEvidence);
        const ft::BootstrapResult empty = ft::bootstrapMeanDifference({}, {});
        QCOMPARE(empty.estimate, 0.0);
        QVERIFY_THROWS_EXCEPTION(ft::Error, ft::bootstrapMeanDifference({1}, {}));
    }

    // The 95 % percentile interval covers the true mean difference in about 95 % of datasets.
    void bootstrapCoverage()
    {
        std::mt19937_64 rng(123);
        std::normal_distribution<double> noise(0.3, 1.0);
        const int datasets = 300, items = 60;
        int covered = 0;
        ft::BootstrapOptions options;
        options.resamples = 500;
        for (int d = 0; d < datasets; ++d) {
            std::vector<double> first(items), second(items, 0.0);
            for (double &x : first)
                x = noise(rng);
            options.seed = uint64_t(d) + 1;
            const ft::BootstrapResult r = ft::bootstrapMeanDifference(first, second, options);
            covered += r.interval.low <= 0.3 && 0.3 <= r.interval.high;
        }
        const double coverage = double(covered) / datasets;
        // Percentile intervals under-cover a little at n = 60; binomial noise is ~1.3 %.
        QVERIFY2(coverage > 0.88 && coverage < 0.99, QByteArray::number(coverage));
    }

    // Mangled predictions files (random bytes spliced into valid lines, invalid UTF-8) either
    // read or fail with BadInput; metrics on arbitrary bytes never crash.
    void fuzzPredictionFiles()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("fuzz.jsonl").toStdString();
        const std::string valid = "{\"prediction\": \"巴黎 the Cat.\", \"reference\": \"Paris\", "
                                  "\"base_prediction\": \"x\"}\n";
        std::mt19937_64 rng(5);
        int read = 0, rejected = 0;
        for (int round = 0; round < 300; ++round) {
            std::string bytes = valid + valid;
            const int edits = 1 + int(rng() % 4);
            for (int e = 0; e < edits; ++e) {
                const std::size_t at = rng() % bytes.size();
                if (rng() % 2)
                    bytes[at] = char(rng() % 256);
                else
                    bytes.erase(at, 1 + rng() % 3);
            }
            {
                std::ofstream out(path, std::ios::binary);
                out << bytes;
            }
            try {
                const auto rows = ft::readPredictionRows(path);
                ft::DomainScoreOptions options;
                options.metrics = {"em", "f1", "rouge_l", "bleu", "accuracy"};
                options.bootstrap.resamples = 20;
                ft::scoreDomain(rows, options, path);
                ++read;
            } catch (const ft::Error &e) {
                QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
                ++rejected;
            }
            for (const auto language : {ft::TextLanguage::English, ft::TextLanguage::Chinese}) {
                ft::tokenF1(bytes, valid, language);
                ft::rougeL(bytes, valid, language);
            }
            ft::sentenceBleu(bytes, valid, ft::BleuTokenizer::Chinese);
            ft::sentenceBleu(bytes, valid, ft::BleuTokenizer::Mteval13a);
        }
        QVERIFY(read > 0 && rejected > 0);
    }
};

QTEST_APPLESS_MAIN(TestEvalMetrics)
#include "tst_evalmetrics.moc"
