// Dataset review: every check with crafted rows that must be flagged and rows that must not,
// MinHash estimates against exact Jaccard, the LSH candidate count (not all pairs), the PII
// validators (ID checksum and birth date, Luhn), token counts with a real tokenizer, and the
// score's explanation.
#include "reviewtestrows.h"
#include "testfixtures.h"

#include "ft/chattemplate.h"
#include "ft/error.h"
#include "ft/modelfiles.h"
#include "ft/project.h"
#include "ft/review.h"
#include "ft/reviewstore.h"
#include "ft/tokenizer.h"
#include "review/minhash.h"
#include "review/pii.h"
#include "review/reviewtext.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace reviewtest;

std::set<std::string> piiTypes(const std::string &text)
{
    std::set<std::string> out;
    for (const auto &m : ft::review::findPersonalData(text))
        out.insert(m.type);
    return out;
}

} // namespace

class TestReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalisation()
    {
        using ft::review::normaliseForMatching;
        QCOMPARE(normaliseForMatching("  Hello\t\tWORLD \n"), std::string("hello world"));
        QCOMPARE(normaliseForMatching("ｈｅｌｌｏ，　ｗｏｒｌｄ！"), std::string("hello, world!"));
        QCOMPARE(normaliseForMatching("Cafe\xCC\x81"), normaliseForMatching("caf\xC3\xA9"));  // NFD vs NFC
        QVERIFY(normaliseForMatching("hello world") != normaliseForMatching("hello, world"));
    }

    void exactDuplicates()
    {
        auto rows = cleanRows(30);
        rows.push_back(qa(1, "What is the capital of France?", "Paris is the capital of France."));
        rows.push_back(qa(2, "what is the  CAPITAL of France?", "Paris is the capital of France."));
        rows.push_back(qa(3, "ｗｈａｔ ｉｓ ｔｈｅ ｃａｐｉｔａｌ ｏｆ Ｆｒａｎｃｅ？", "Paris is the capital of France."));
        rows.push_back(qa(4, "What is the capital of Spain?", "Madrid is the capital of Spain."));
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(rowsWith(result, ft::finding::ExactDuplicate), (std::set<int64_t>{2, 3}));
        for (const auto &f : findingsOf(result, ft::finding::ExactDuplicate)) {
            QCOMPARE(f.detail["representative"].get<int64_t>(), int64_t(1));
            QCOMPARE(f.detail["size"].get<int>(), 3);
        }
        QCOMPARE(result.report["exact_duplicates"]["clusters"].get<int>(), 1);
        QCOMPARE(result.report["exact_duplicates"]["top_clusters"][0]["representative"].get<int64_t>(), int64_t(1));
    }

    void nearDuplicates()
    {
        auto rows = cleanRows(200);
        const std::string base = longParagraph(1);
        std::string edited = base;
        edited.replace(edited.find("river") == std::string::npos ? 0 : edited.find("river"), 5, "ocean");
        rows.push_back(qa(1, "Tell me a story.", base));
        rows.push_back(qa(2, "Tell me a story.", edited));       // one word changed
        rows.push_back(qa(3, "Tell me a story.", longParagraph(2)));  // same words, different text
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(rowsWith(result, ft::finding::NearDuplicate), (std::set<int64_t>{2}));
        const auto f = findingsOf(result, ft::finding::NearDuplicate).front();
        QCOMPARE(f.detail["representative"].get<int64_t>(), int64_t(1));
        QVERIFY(f.detail["similarity"].get<double>() >= 0.8);
        QCOMPARE(result.report["near_duplicates"]["clusters"].get<int>(), 1);
        // The clean rows share their template words but are not near duplicates of one another.
        QVERIFY(rowsWith(result, ft::finding::ExactDuplicate).empty());

        // A stricter threshold (0.99) no longer links the one-word edit.
        ft::ReviewOptions strict;
        strict.nearDuplicateThreshold = 0.99;
        QVERIFY(rowsWith(ft::reviewDataset(rows, strict), ft::finding::NearDuplicate).empty());
    }

    void minhashEstimatesJaccard()
    {
        using namespace ft::review;
        const ShingleOptions sh{false, 5};
        const MinHasher hasher(256, 42);
        std::mt19937 rng(3);
        double sumError = 0, maxError = 0;
        int pairs = 0;
        for (int t = 0; t < 60; ++t) {
            // b shares a prefix of a (a varying share of it) and then diverges.
            const std::string a = longParagraph(100 + t) + longParagraph(200 + t);
            const std::size_t keep = a.size() * static_cast<std::size_t>(t % 10 + 1) / 10;
            const std::string b = a.substr(0, keep) + longParagraph(300 + t).substr(0, a.size() - keep);
            const auto sa = shingleHashes(a, sh, 1), sb = shingleHashes(b, sh, 1);
            const double exact = exactJaccard(sa, sb);
            const double est = MinHasher::estimate(hasher.signature(sa), hasher.signature(sb));
            sumError += std::fabs(exact - est);
            maxError = std::max(maxError, std::fabs(exact - est));
            ++pairs;
        }
        const double meanError = sumError / pairs;
        qInfo("MinHash (256 bins) vs exact Jaccard over %d pairs: mean |error| %.4f, max %.4f", pairs, meanError,
              maxError);
        // The standard error of a 256-bin estimate is at most 0.5 / 16 = 0.031.
        QVERIFY2(meanError < 0.03, qPrintable(QString::number(meanError)));
        QVERIFY2(maxError < 0.12, qPrintable(QString::number(maxError)));
        // Identical sets estimate 1, disjoint ones about 0; short texts (fewer shingles than bins)
        // are densified, not left empty.
        const auto s1 = shingleHashes("short text", sh, 1), s2 = shingleHashes("other words", sh, 1);
        QCOMPARE(MinHasher::estimate(hasher.signature(s1), hasher.signature(s1)), 1.0);
        QVERIFY(MinHasher::estimate(hasher.signature(s1), hasher.signature(s2)) < 0.2);
    }

    // The text's signature without the shingle list (eight ASCII shingles at a time where the CPU
    // has AVX-512) equals signature(shingleHashes(...)): every width, bin counts that are and are
    // not powers of two, ASCII and not, lengths around the blocks' edges.
    void signatureOfTextSameAsShingles()
    {
        using namespace ft::review;
        std::mt19937 rng(9);
        for (int permutations : {117, 128, 8, 1000}) {
            const MinHasher hasher(permutations, 77);
            for (int width : {1, 3, 5, 7}) {
                for (int t = 0; t < 120; ++t) {
                    std::string text = longParagraph(700 + t).substr(0, static_cast<std::size_t>(rng() % 90));
                    if (t % 7 == 0)
                        text += "\xe4\xb8\xad\xe6\x96\x87";  // not ASCII: the plain path
                    for (bool words : {false, true}) {
                        const ShingleOptions sh{words, width};
                        const auto expected = hasher.signature(shingleHashes(text, sh, 5));
                        QCOMPARE(hasher.signatureOfText(text, sh, 5), expected);
                        QCOMPARE(hasher.signatureOfText(text, sh, 5, /*vectorised=*/false), expected);
                    }
                }
            }
        }
    }

    void lshIsNotAllPairs()
    {
        using namespace ft::review;
        const MinHasher hasher(128, 1);
        std::vector<std::vector<uint64_t>> sigs;
        for (int i = 0; i < 3000; ++i)
            sigs.push_back(hasher.signature(shingleHashes(longParagraph(5000 + i), {false, 5}, 1)));
        const auto [b, r] = optimalBands(0.8, 128);
        QVERIFY(b * r <= 128);
        const auto candidates = lshCandidates(sigs, b, r);
        // 4.5 million pairs exist; unrelated texts must yield almost no candidates.
        QVERIFY2(candidates.size() < 3000, qPrintable(QString::number(candidates.size())));
    }

    void splitLeakage()
    {
        auto rows = cleanRows(30);
        for (auto &r : rows)
            r.split = "train";
        rows.push_back(qa(1, "Name the largest planet.", "Jupiter is the largest planet.", "train"));
        rows.push_back(qa(2, "Name the largest planet.", "Jupiter is the largest planet.", "validation"));
        rows.push_back(qa(3, "Name the smallest planet.", "Mercury is the smallest planet.", "validation"));
        const std::string story = longParagraph(9);
        std::string edited = story;
        edited.replace(edited.find("data") == std::string::npos ? 0 : edited.find("data"), 4, "info");
        rows.push_back(qa(4, "Write a story.", story, "train"));
        rows.push_back(qa(5, "Write a story.", edited, "test"));
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(rowsWith(result, ft::finding::SplitLeakage), (std::set<int64_t>{2, 5}));
        for (const auto &f : findingsOf(result, ft::finding::SplitLeakage))
            QCOMPARE(f.detail["other_split"].get<std::string>(), std::string("train"));
    }

    void emptyFieldsAndTurns()
    {
        auto rows = cleanRows(30);
        rows.push_back(qa(1, "Say something.", "   \n"));
        rows.push_back(qa(2, "", "An answer to nothing."));
        ReviewRow noAssistant;
        noAssistant.rowId = 3;
        noAssistant.messages = {{"user", "Hello?"}};
        ReviewRow assistantFirst;
        assistantFirst.rowId = 4;
        assistantFirst.messages = {{"assistant", "I start."}, {"user", "Fine."}, {"assistant", "Good."}};
        ReviewRow twoUsers;
        twoUsers.rowId = 5;
        twoUsers.messages = {{"system", "Be nice."}, {"user", "One."}, {"user", "Two."}, {"assistant", "Three."}};
        rows.push_back(noAssistant);
        rows.push_back(assistantFirst);
        rows.push_back(twoUsers);
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(rowsWith(result, ft::finding::EmptyField), (std::set<int64_t>{1, 2}));
        QCOMPARE(rowsWith(result, ft::finding::MalformedTurns), (std::set<int64_t>{3, 4, 5}));
        for (const auto &f : result.findings) {
            if (f.kind == ft::finding::EmptyField && f.rowId == 1)
                QCOMPARE(f.severity, ft::Severity::Error);  // an empty answer
            if (f.kind == ft::finding::MalformedTurns && f.rowId == 3)
                QCOMPARE(f.detail["problems"][0]["problem"].get<std::string>(), std::string("no_assistant"));
            if (f.kind == ft::finding::MalformedTurns && f.rowId == 5)
                QCOMPARE(f.detail["problems"][0]["problem"].get<std::string>(), std::string("two_user_turns"));
        }
    }

    void lengthOutliers()
    {
        auto rows = cleanRows(60);
        rows.push_back(qa(1, "Explain bread case 1 in detail.", "Ok"));
        std::string huge;
        for (int i = 0; i < 800; ++i)
            huge += "This sentence makes the answer very long indeed. ";
        rows.push_back(qa(2, "Explain chess case 2 in detail.", huge));
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(rowsWith(result, ft::finding::TooShort), (std::set<int64_t>{1}));
        QCOMPARE(rowsWith(result, ft::finding::TooLong), (std::set<int64_t>{2}));
        QVERIFY(result.report["length_outliers"]["rule"].get<std::string>().find("MAD") != std::string::npos);
        // Too few rows: no rule, said so.
        const auto small = ft::reviewDataset({qa(1, "a", "b"), qa(2, "c", std::string(5000, 'x'))}, {});
        QVERIFY(!small.report["length_outliers"]["applied"].get<bool>());
    }

    void tokenLengthsWithTokenizer()
    {
        FT_REQUIRE_FIXTURE(folder, "tiny-random-llama-2-hf");
        const auto tokenizer = ft::openTokenizer(folder.toStdString());
        auto rows = cleanRows(20);
        rows.push_back(qa(1, "Short question?", std::string(3000, 'z') + " end"));
        ft::ReviewOptions o;
        o.tokenizer = tokenizer.get();
        o.cutoffLen = 256;
        const auto result = ft::reviewDataset(rows, o);
        // The trainer's count: the Alpaca rendering, encoded without special tokens, plus EOS.
        const std::string templ = *ft::builtinChatTemplate("alpaca");
        const auto topts = ft::chatTemplateOptionsFor(*tokenizer);
        int64_t expectedTruncated = 0, expectedLost = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const auto n = static_cast<int64_t>(
                tokenizer->encode(ft::renderChatTemplate(templ, rows[i].messages, topts), false).size() + 1);
            QCOMPARE(result.tokenCounts[i], n);
            if (n > 256) {
                ++expectedTruncated;
                expectedLost += n - 256;
            }
        }
        const auto &rep = result.report["token_lengths"];
        QVERIFY(rep["exact"].get<bool>());
        QVERIFY(expectedTruncated >= 1);
        QCOMPARE(rep["rows_truncated"].get<int64_t>(), expectedTruncated);
        QCOMPARE(rep["tokens_lost"].get<int64_t>(), expectedLost);
        QVERIFY(rowsWith(result, ft::finding::Truncated).count(1));
        int64_t histogramRows = 0;
        for (const auto &bin : rep["histogram"])
            histogramRows += bin["rows"].get<int64_t>();
        QCOMPARE(histogramRows, static_cast<int64_t>(rows.size()));

        // A cutoff shorter than the prompt leaves no response token: an error, as the trainer skips it.
        o.cutoffLen = 8;
        const auto cut = ft::reviewDataset({qa(1, "A rather long question with many words in it?", "Yes.")}, o);
        const auto f = findingsOf(cut, ft::finding::Truncated);
        QCOMPARE(f.size(), std::size_t(1));
        QCOMPARE(f[0].severity, ft::Severity::Error);
        QVERIFY(f[0].detail["no_response_left"].get<bool>());

        // Without a tokenizer: an estimate, and the report says so.
        const auto approx = ft::reviewDataset(rows, {});
        QVERIFY(!approx.report["token_lengths"]["exact"].get<bool>());
        QVERIFY(approx.report["token_lengths"]["method"].get<std::string>().find("approximate") == 0);
    }

    void repeatsPrompt()
    {
        auto rows = cleanRows(30);
        rows.push_back(qa(1, "Why is the sky blue?", "why is the sky blue?"));
        rows.push_back(qa(2, "Describe the water cycle in simple terms.",
                          "Describe the water cycle in simple terms. Water evaporates and falls as rain."));
        rows.push_back(qa(3, "Why is the sky blue?", "Because air scatters blue light more than red light."));
        // The trigram rule at its line: 11 of 11 and 11 of 12 (0.92) flagged, 11 of 13 (0.85) not.
        const std::string copyTask = "Fix the grammar: the cat sit on the mat and the dog run in the park";
        rows.push_back(qa(4, copyTask, "The cat sit on the mat and the dog run in the park."));
        rows.push_back(qa(5, copyTask, "The cat sit on the mat and the dog run in the park today."));
        rows.push_back(qa(6, copyTask, "The cat sit on the mat and the dog run in the park today, sadly."));
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(rowsWith(result, ft::finding::RepeatsPrompt), (std::set<int64_t>{1, 2, 4, 5}));
    }

    void mojibakeAndControls()
    {
        auto rows = cleanRows(30);
        rows.push_back(qa(1, "Translate caf\xC3\x83\xC2\xA9 please", "It means coffee shop."));       // "cafÃ©"
        rows.push_back(qa(2, "Quote", "It\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2s fine."));                  // "Itâ€™s"
        rows.push_back(qa(3, "乱码", "锟斤拷锟斤拷"));
        rows.push_back(qa(4, "Broken", "bad \xEF\xBF\xBD byte"));                                  // U+FFFD
        rows.push_back(qa(5, "Bell", "ring\x07 the bell"));
        rows.push_back(qa(6, "Fine", "café, naïve, “quotes” — and ‘these’ are fine; Ärger, señor."));
        rows.push_back(qa(7, "Tabs", "a\tb\nc\r\nd"));
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(rowsWith(result, ft::finding::Mojibake), (std::set<int64_t>{1, 2, 3, 4}));
        QCOMPARE(rowsWith(result, ft::finding::ControlCharacters), (std::set<int64_t>{5}));
        for (const auto &f : findingsOf(result, ft::finding::Mojibake))
            if (f.rowId == 1) {
                const auto &span = f.detail["spans"][0];
                QCOMPARE(span["begin"].get<int>(), 13);  // byte offset of "Ã©" in the user turn
                QCOMPARE(span["end"].get<int>(), 17);
                QCOMPARE(span["role"].get<std::string>(), std::string("user"));
            }
    }

    void scriptMix()
    {
        auto rows = cleanRows(30);
        rows.push_back(qa(1, "请介绍一下长城的历史。", "长城是中国古代的军事防御工程，历史悠久。"));
        rows.push_back(qa(2, "Translate to Chinese: good morning, my friend", "早上好，我的朋友，今天天气很好。"));
        rows.push_back(qa(3, "Explain the word 'kanji' in English.", "Kanji are the Chinese characters used in Japanese (漢字)."));
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(result.report["script_mix"]["dominant"].get<std::string>(), std::string("latin"));
        QCOMPARE(rowsWith(result, ft::finding::ScriptMix), (std::set<int64_t>{1, 2}));
    }

    // Judged per language: Chinese with English terms, code or a lone π is ordinary Chinese;
    // Cyrillic inside Chinese, Latin-looking garbled characters and a row with no Chinese at
    // all are not.
    void scriptMixPerLanguage()
    {
        std::vector<ReviewRow> rows;
        static const char *terms[] = {"Python", "GPU", "API", "JSON", "LoRA", "Transformer"};
        for (int i = 0; i < 30; ++i)
            rows.push_back(qa(1000 + i,
                              "请用" + std::string(terms[i % 6]) + "解释第" + std::to_string(i) +
                                  "个问题：what does \"fine-tuning\" mean?",
                              "微调（fine-tuning）是在预训练模型上继续训练。例如 def train(model): "
                              "return model.fit(data) 这样的代码，圆周率 π 约等于 3.14，拼音 "
                              "wēitiáo。"));
        rows.push_back(qa(1, "请翻译这个俄语句子。", "这句话是 Привет, как дела 的意思是你好。"));
        // "这是一个测试" encoded as UTF-8 and read as Windows-1252.
        rows.push_back(qa(2, "请回答下面的问题。", "è¿™æ˜¯ä¸€ä¸ªæµ‹è¯• 的结果。"));
        rows.push_back(qa(3, "Describe the water cycle in two sentences.",
                          "Water evaporates, condenses into clouds and falls as rain."));
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(result.report["script_mix"]["dominant"].get<std::string>(), std::string("han"));
        QCOMPARE(rowsWith(result, ft::finding::ScriptMix), (std::set<int64_t>{1, 2, 3}));
        for (const auto &f : findingsOf(result, ft::finding::ScriptMix)) {
            const std::string reason = f.detail["reason"].get<std::string>();
            const std::string script = f.detail["foreign_script"].get<std::string>();
            if (f.rowId == 1)
                QCOMPARE(script, std::string("cyrillic"));
            if (f.rowId == 2)
                QCOMPARE(script, std::string("latin"));
            if (f.rowId == 3)
                QCOMPARE(reason, std::string("no_dataset_script"));
        }
    }

    // Two languages on purpose (the studio's demo: English and Chinese support questions): each
    // row is judged in its own script; Cyrillic inside a Chinese row is still flagged, and so is
    // a language that only a few rows are in.
    void scriptMixBilingual()
    {
        std::vector<ReviewRow> rows;
        for (int i = 0; i < 30; ++i)
            rows.push_back(qa(i, "What does error E" + std::to_string(i) + " mean on the Veltra H2?",
                              "E" + std::to_string(i) + ": the filter is missing. Insert the filter."));
        for (int i = 0; i < 20; ++i)
            rows.push_back(qa(100 + i, "Veltra H2 显示 E" + std::to_string(i) + " 是什么意思？",
                              "E" + std::to_string(i) + "：未安装滤网。请将滤网箭头朝上装入 VF-27。"));
        rows.push_back(qa(200, "请翻译这个俄语句子。", "这句话是 Привет, как дела 的意思是你好。"));
        for (int i = 0; i < 2; ++i)
            rows.push_back(qa(300 + i, "Как дела у фильтра номер " + std::to_string(i) + "?",
                              "Фильтр работает хорошо, спасибо за вопрос."));
        const auto result = ft::reviewDataset(rows, {});
        const auto &mix = result.report["script_mix"];
        QCOMPARE(mix["dominant"].get<std::string>(), std::string("latin"));
        QVERIFY2(mix["dataset_scripts"] == (nlohmann::json{"latin", "han"}), mix["dataset_scripts"].dump().c_str());
        QCOMPARE(rowsWith(result, ft::finding::ScriptMix), (std::set<int64_t>{200, 300, 301}));
    }

    // Chinese in the checks that count characters: a near copy of a Chinese answer (one
    // character changed) is a near duplicate of it, another answer of the same length is not;
    // a Chinese answer far longer than the rest is an outlier (lengths count characters, not
    // UTF-8 bytes, so three bytes per character do not make ordinary Chinese rows "long").
    void chineseNearDuplicatesAndLengths()
    {
        FT_REQUIRE_FIXTURE(path, "datasets/alpaca_zh_demo.json");
        std::ifstream in(path.toStdString());
        const nlohmann::json demo = nlohmann::json::parse(in);
        std::vector<ReviewRow> rows;
        for (const auto &row : demo) {
            const std::string output = row.value("output", std::string());
            if (rows.size() < 200 && output.size() > 150)
                rows.push_back(qa(int64_t(rows.size()), row.value("instruction", std::string()), output));
        }
        QCOMPARE(int(rows.size()), 200);
        const std::string original = rows[7].messages[1].content;
        std::string copy = original;
        const auto pos = copy.find("的");
        QVERIFY(pos != std::string::npos);
        copy.replace(pos, std::string("的").size(), "地");
        rows.push_back(qa(1000, rows[7].messages[0].content, copy));
        std::string longAnswer;  // forty other answers in one: long, and like none of them
        for (size_t i = 20; i < 60; ++i)
            longAnswer += rows[i].messages[1].content;
        rows.push_back(qa(1001, "请详细介绍一下。", longAnswer));
        const auto before = ft::reviewDataset(std::vector<ReviewRow>(rows.begin(), rows.end() - 2), {});
        const auto result = ft::reviewDataset(rows, {});
        const auto near = rowsWith(result, ft::finding::NearDuplicate);
        const auto nearBefore = rowsWith(before, ft::finding::NearDuplicate);
        QVERIFY(near.count(1000));  // the copy, with its original as the representative
        for (const auto &f : findingsOf(result, ft::finding::NearDuplicate))
            if (f.rowId == 1000)
                QCOMPARE(f.detail["representative"].get<int64_t>(), int64_t(7));
        for (int64_t id : near)  // nothing else newly linked
            QVERIFY2(nearBefore.count(id) || id == 1000 || id == 7, qPrintable(QString::number(id)));
        QVERIFY(rowsWith(result, ft::finding::TooLong).count(1001));
        QVERIFY(!rowsWith(result, ft::finding::TooLong).count(1000));
    }

    // LLaMA-Factory's Chinese demo: an ordinary Chinese dataset, with English terms, code and
    // formulas in its answers (98 of its 1,000 rows were flagged by letter counts).
    void scriptMixOnChineseDemo()
    {
        FT_REQUIRE_FIXTURE(path, "datasets/alpaca_zh_demo.json");
        std::ifstream in(path.toStdString());
        const nlohmann::json demo = nlohmann::json::parse(in);
        std::vector<ReviewRow> rows;
        for (const auto &row : demo) {
            std::string prompt = row.value("instruction", std::string());
            if (!row.value("input", std::string()).empty())
                prompt += "\n" + row["input"].get<std::string>();
            rows.push_back(qa(int64_t(rows.size()), prompt, row.value("output", std::string())));
        }
        QCOMPARE(int(rows.size()), 1000);
        const auto result = ft::reviewDataset(rows, {});
        QCOMPARE(result.report["script_mix"]["dominant"].get<std::string>(), std::string("han"));
        const auto flagged = rowsWith(result, ft::finding::ScriptMix);
        QVERIFY2(flagged.size() <= 5, qPrintable(QString::number(flagged.size())));
    }

    void piiValidators()
    {
        using namespace ft::review;
        QVERIFY(isValidChineseId("11010519491231002X"));
        QVERIFY(isValidChineseId("11010519491231002x"));
        QVERIFY(isValidChineseId("44030419900307123X"));
        QVERIFY(!isValidChineseId("110105194912310021"));  // wrong check character
        QVERIFY(!isValidChineseId("110105200013011235"));  // right checksum, month 13
        QVERIFY(passesLuhn("4111111111111111"));
        QVERIFY(passesLuhn("79927398713"));
        QVERIFY(!passesLuhn("4111111111111112"));
        QVERIFY(!passesLuhn("79927398710"));
        QCOMPARE(maskPii("13812345678"), std::string("138*****678"));
    }

    void piiPatterns()
    {
        const std::set<std::string> none;
        auto only = [](const char *t) { return std::set<std::string>{t}; };
        // e-mail
        QCOMPARE(piiTypes("write to jane.doe+news@example.co.uk today"), only("email"));
        QCOMPARE(piiTypes("the @ sign and user@localhost and a@b.c"), none);
        // Chinese mobile numbers: 1[3-9] and 11 digits, optionally +86 / 86, grouped 3-4-4
        QCOMPARE(piiTypes("call 13812345678 now"), only("cn_mobile"));
        QCOMPARE(piiTypes("电话：+86 139-1234-5678。"), only("cn_mobile"));
        QCOMPARE(piiTypes("电话15912345678联系"), only("cn_mobile"));
        QCOMPARE(piiTypes("code 12812345678 and 138123456789"), none);  // 12x prefix; 12 digits
        // International and North American phone numbers
        QCOMPARE(piiTypes("ring +1 415 555 2671 or +44 20 7946 0958"), only("phone"));
        QCOMPARE(piiTypes("office (415) 555-2671"), only("phone"));
        QCOMPARE(piiTypes("score +12 and 2023-10-05 and 3.14159"), none);
        // Chinese resident ID: flagged only with a valid checksum and birth date
        QCOMPARE(piiTypes("身份证号11010519491231002X。"), only("cn_id"));
        QCOMPARE(piiTypes("id 110105194912310021 here"), none);
        QCOMPARE(piiTypes("id 110105200013011235 here"), none);
        // Bank cards: Luhn
        QCOMPARE(piiTypes("card 4111111111111111 exp"), only("bank_card"));
        QCOMPARE(piiTypes("card 4111 1111 1111 1111 exp"), only("bank_card"));
        QCOMPARE(piiTypes("card 6222-0212-3456-7894 exp"), only("bank_card"));
        QCOMPARE(piiTypes("card 4111111111111112 or 0000000000000000"), none);
        // IP addresses
        QCOMPARE(piiTypes("server 192.168.1.20 responded"), only("ipv4"));
        QCOMPARE(piiTypes("bad 999.1.1.1 or 1.2.3.4.5 or 10.0.0"), none);
        QCOMPARE(piiTypes("v6 2001:db8:85a3::8a2e:370:7334 ok"), only("ipv6"));
        QCOMPARE(piiTypes("at 12:30:45 or a::b or std::vector"), none);
        // Spans point at the match
        const std::string text = "mail: bob@example.org";
        const auto m = ft::review::findPersonalData(text);
        QCOMPARE(m.size(), std::size_t(1));
        QCOMPARE(text.substr(m[0].begin, m[0].end - m[0].begin), std::string("bob@example.org"));
    }

    void piiFindings()
    {
        auto rows = cleanRows(30);
        rows.push_back(qa(1, "My email is a.b@example.com and phone 13912345678", "Noted."));
        const auto result = ft::reviewDataset(rows, {});
        const auto f = findingsOf(result, ft::finding::PersonalData);
        QCOMPARE(f.size(), std::size_t(2));
        std::set<std::string> types;
        for (const auto &x : f) {
            QCOMPARE(x.rowId, int64_t(1));
            types.insert(x.detail["type"].get<std::string>());
            QVERIFY(x.message.find("example.com") == std::string::npos);  // masked
        }
        QCOMPARE(types, (std::set<std::string>{"email", "cn_mobile"}));
        QCOMPARE(result.report["personal_data"]["email"]["rows"].get<int>(), 1);
    }

    void diversityAndScore()
    {
        const auto clean = ft::reviewDataset(cleanRows(100), {});
        const auto &div = clean.report["diversity"];
        QVERIFY(div["responses"]["distinct_1"].get<double>() > 0.0);
        QVERIFY(div["top_openings"].size() >= 5);
        QVERIFY(!div["top_keywords"].empty());
        const double cleanScore = clean.report["score"]["value"].get<double>();

        // Half the rows duplicated: the duplicates factor hits its cap and explains why.
        auto rows = cleanRows(100);
        for (int i = 0; i < 100; ++i) {
            auto copy = rows[static_cast<std::size_t>(i)];
            copy.rowId = 5000 + i;
            rows.push_back(copy);
        }
        const auto dup = ft::reviewDataset(rows, {});
        const auto &score = dup.report["score"];
        double penalties = 0;
        bool sawDuplicates = false;
        for (const auto &f : score["factors"]) {
            penalties += f["penalty"].get<double>();
            QVERIFY(!f["explanation"].get<std::string>().empty());
            if (f["factor"] == "duplicates") {
                sawDuplicates = true;
                QCOMPARE(f["penalty"].get<double>(), 25.0);
                QCOMPARE(f["value"].get<double>(), 50.0);
            }
        }
        QVERIFY(sawDuplicates);
        QCOMPARE(score["factors"][0]["factor"].get<std::string>(), std::string("duplicates"));  // largest first
        QVERIFY(std::fabs(score["value"].get<double>() - std::max(0.0, 100.0 - penalties)) < 0.051);
        QVERIFY(score["value"].get<double>() <= cleanScore - 25.0 + 0.051);
    }
};

QTEST_APPLESS_MAIN(TestReview)
#include "tst_review.moc"
