// The tokenizer's fast paths give what the slow ones give: the GPT-2 pre-tokenizer's ASCII scanner
// against PCRE2 on the same pattern, and the per-thread BPE word cache under concurrent encoding
// against a fresh tokenizer on one thread.
#include "testfixtures.h"

#include "ft/modelfiles.h"
#include "ft/tokenizer.h"
#include "tokenizer/regexsplitter.h"

#include <QTest>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

// Text that walks every branch of the pattern: contractions, letter / digit / other runs with and
// without a leading space, runs of white space of every ASCII kind, and non-ASCII characters
// (letters, a digit, punctuation, U+00A0 and U+0085, which Oniguruma counts as white space) at
// and inside every boundary.
std::string randomText(std::mt19937 &rng, std::size_t pieces)
{
    static const std::vector<std::string> parts = {
        "a", "Z", "word", "1", "42", "'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'x", "?", "!!", "-",
        "_", "\"", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\v", "\f", "é", "ß", "’", "٣", "中文", "\xC2\xA0",
        "\xC2\x85", "\xE3\x80\x80", "😀", "é1", "x\xC2\xA0y", ".\xE2\x80\x94"};
    std::uniform_int_distribution<std::size_t> pick(0, parts.size() - 1);
    std::string s;
    for (std::size_t i = 0; i < pieces; ++i)
        s += parts[pick(rng)];
    return s;
}

} // namespace

class TestTokenizerSpeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gpt2ScannerMatchesPcre2()
    {
        const ft::tok::RegexSplitter fast(ft::tok::RegexSplitter::gpt2Pattern(), "test");
        // The same pattern in a group: not recognised as GPT-2's, so PCRE2 matches every piece.
        const ft::tok::RegexSplitter pcre("(?:" + ft::tok::RegexSplitter::gpt2Pattern() + ")", "test");
        std::mt19937 rng(7);
        std::vector<std::pair<std::size_t, std::size_t>> a, b;
        for (int round = 0; round < 20000; ++round) {
            const std::string text = randomText(rng, 1 + round % 12);
            fast.findAll(text, a);
            pcre.findAll(text, b);
            if (a != b)
                QFAIL(qPrintable(QString("spans differ for \"%1\"").arg(QString::fromStdString(text))));
        }
    }

    void concurrentEncodingMatchesOneThread()
    {
        FT_REQUIRE_FIXTURE(dir, "gpt2-tokenizer");
        std::mt19937 rng(11);
        std::vector<std::string> texts;
        for (int i = 0; i < 400; ++i)
            texts.push_back(randomText(rng, 40));
        const auto reference = ft::openTokenizer(dir.toStdString());
        std::vector<std::vector<int32_t>> expected;
        for (const auto &t : texts)
            expected.push_back(reference->encode(t, false));

        const auto shared = ft::openTokenizer(dir.toStdString());
        constexpr int kThreads = 4;
        const std::size_t kStride[kThreads] = {1, 3, 7, 11}; // coprime with 400: permutations
        std::vector<std::vector<std::vector<int32_t>>> got(kThreads, std::vector<std::vector<int32_t>>(texts.size()));
        std::vector<std::thread> pool;
        for (int t = 0; t < kThreads; ++t)
            pool.emplace_back([&, t] {
                for (int pass = 0; pass < 3; ++pass) // later passes come from the word cache
                    for (std::size_t k = 0; k < texts.size(); ++k) {
                        const std::size_t i = (k * kStride[t] + std::size_t(t)) % texts.size(); // each its own order
                        got[std::size_t(t)][i] = shared->encode(texts[i], false);
                    }
            });
        for (auto &th : pool)
            th.join();
        for (int t = 0; t < kThreads; ++t)
            for (std::size_t i = 0; i < texts.size(); ++i)
                QCOMPARE(got[std::size_t(t)][i], expected[i]);
    }
};

QTEST_GUILESS_MAIN(TestTokenizerSpeed)
#include "tst_tokenizerspeed.moc"
