// Multiple-choice benchmarks: the readers (MMLU fixture folder, C-Eval / CMMLU headers, JSONL)
// and their bad-input messages, prompt strings against lm-evaluation-harness's own output, the
// seeded subset, and choice scoring with reused KV caches against full forward passes without
// cache on the real tiny-random-llama-2 folder (base and prompt tuning).
#include "testfixtures.h"

#include "eval/choicescorer.h"
#include "ft/benchmark.h"
#include "ft/benchmarkeval.h"
#include "ft/error.h"
#include "ft/model.h"
#include "model/modelimpl.h"
#include "model/prompttuningmodel.h"

#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace {

void writeFile(const fs::path &path, const std::string &text)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string badInputMessage(const fs::path &path, const ft::BenchmarkReadOptions &options = {})
{
    try {
        ft::readBenchmark(path, options);
    } catch (const ft::Error &e) {
        if (e.kind() == ft::ErrorKind::BadInput)
            return e.what();
        return std::string("wrong error kind: ") + e.what();
    }
    return "no error";
}

// Sum of log-softmax over `continuation` after `context`, from one full forward pass (no cache).
double referenceLogLikelihood(const ft::Model &model, const std::vector<int32_t> &context,
                              const std::vector<int32_t> &continuation, bool useAdapter)
{
    std::vector<int32_t> all = context;
    all.insert(all.end(), continuation.begin(), continuation.end());
    all.pop_back(); // as lm-eval: the last token is only predicted
    const std::vector<float> logits = model.allLogits(all, useAdapter);
    const int64_t V = static_cast<int64_t>(logits.size() / all.size());
    const torch::Tensor lp = torch::log_softmax(
        torch::from_blob(const_cast<float *>(logits.data()), {static_cast<int64_t>(all.size()), V}),
        -1);
    double sum = 0;
    for (size_t t = 0; t < continuation.size(); ++t)
        sum += lp[static_cast<int64_t>(context.size() + t) - 1][continuation[t]].item<float>();
    return sum;
}

} // namespace

class TestBenchmark : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    fs::path root() const { return fs::path(m_dir.path().toStdString()); }

private Q_SLOTS:
    void readsTheMmluFixtureFolder()
    {
        FT_REQUIRE_FIXTURE(path, "eval/mmlu");
        ft::BenchmarkReadOptions options;
        options.subjects = {"astronomy", "anatomy"};
        const ft::Benchmark b = ft::readBenchmark(path.toStdString(), options);
        QCOMPARE(b.style, ft::PromptStyle::Mmlu);
        QCOMPARE(b.subjects.size(), size_t(2));
        const ft::BenchmarkSubject &anatomy = b.subjects[0];
        QCOMPARE(anatomy.name, std::string("anatomy"));
        QCOMPARE(anatomy.title, std::string("anatomy"));
        QCOMPARE(anatomy.category, std::string("Other")); // the fixture's mapping.json
        QCOMPARE(anatomy.items.size(), size_t(135));
        QCOMPARE(anatomy.dev.size(), size_t(5));
        QCOMPARE(anatomy.items[0].choices.size(), size_t(4));
        QVERIFY(anatomy.items[0].question.rfind("A lesion causing compression", 0) == 0);
        QCOMPARE(anatomy.items[0].answer, 0);
        QCOMPARE(anatomy.items[0].source, std::string("anatomy_test.csv:1"));
        QCOMPARE(anatomy.dev[0].answer, 3);
        ft::BenchmarkReadOptions val;
        val.split = ft::BenchmarkSplit::Val;
        val.subjects = {"high_school_government_and_politics"};
        const ft::Benchmark v = ft::readBenchmark(path.toStdString(), val);
        QCOMPARE(v.subjects[0].title, std::string("high school government and politics"));
    }

    // The exact string lm-eval 0.4.13's mmlu_anatomy task built (fewshot_context, 2 shots).
    void promptMatchesLmEval()
    {
        FT_REQUIRE_FIXTURE(path, "eval/mmlu");
        ft::BenchmarkReadOptions options;
        options.subjects = {"anatomy"};
        const ft::Benchmark b = ft::readBenchmark(path.toStdString(), options);
        const ft::PromptParts p =
            ft::buildBenchmarkPrompt(b.style, b.subjects[0], b.subjects[0].items[0], 2);
        const std::string expected =
            "The following are multiple choice questions (with answers) about anatomy.\n\n"
            "What is the embryological origin of the hyoid bone?\nA. The first pharyngeal arch\n"
            "B. The first and second pharyngeal arches\nC. The second pharyngeal arch\n"
            "D. The second and third pharyngeal arches\nAnswer: D\n\n"
            "Which of these branches of the trigeminal nerve contain somatic motor processes?\n"
            "A. The supraorbital nerve\nB. The infraorbital nerve\nC. The mental nerve\n"
            "D. None of the above\nAnswer: D\n\n"
            "A lesion causing compression of the facial nerve at the stylomastoid foramen will "
            "cause ipsilateral\nA. paralysis of the facial muscles.\nB. paralysis of the facial "
            "muscles and loss of taste.\nC. paralysis of the facial muscles, loss of taste and "
            "lacrimation.\nD. paralysis of the facial muscles, loss of taste, lacrimation and "
            "decreased salivation.\nAnswer:";
        QCOMPARE(p.context, expected);
        QCOMPARE(p.continuations, (std::vector<std::string>{" A", " B", " C", " D"}));
        try {
            ft::buildBenchmarkPrompt(b.style, b.subjects[0], b.subjects[0].items[0], 6);
            QFAIL("6 shots from 5 dev examples");
        } catch (const ft::Error &e) {
            QVERIFY2(std::string(e.what()).find("--shots 6") != std::string::npos, e.what());
        }
    }

    void chineseHeadersAndPrompts()
    {
        const fs::path ceval = root() / "ceval";
        writeFile(ceval / "val" / "computer_network_val.csv",
                  "id,question,A,B,C,D,answer,explanation\n0, 使用位填充方法 ,甲,乙,丙,丁,B,\n");
        writeFile(ceval / "dev" / "computer_network_dev.csv",
                  "id,question,A,B,C,D,answer,explanation\n0,问题一,一,二,三,四,C,因为\n");
        writeFile(ceval / "subject_mapping.json",
                  R"({"computer_network": ["Computer Network", "计算机网络", "STEM"]})");
        ft::BenchmarkReadOptions options;
        options.split = ft::BenchmarkSplit::Val;
        const ft::Benchmark b = ft::readBenchmark(ceval, options);
        QCOMPARE(b.style, ft::PromptStyle::Ceval);
        QCOMPARE(b.subjects[0].title, std::string("计算机网络"));
        QCOMPARE(b.subjects[0].category, std::string("STEM"));
        QCOMPARE(b.subjects[0].items[0].id, std::string("0"));
        const ft::PromptParts p =
            ft::buildBenchmarkPrompt(b.style, b.subjects[0], b.subjects[0].items[0], 1);
        QCOMPARE(p.context,
                 std::string("以下是中国关于计算机网络的单项选择题，请选出其中的正确答案。\n\n"
                             "问题一\nA. 一\nB. 二\nC. 三\nD. 四\n答案： C\n\n"
                             "使用位填充方法\nA. 甲\nB. 乙\nC. 丙\nD. 丁\n答案："));

        const fs::path cmmlu = root() / "cmmlu";
        writeFile(cmmlu / "test" / "agronomy.csv",
                  ",Question,A,B,C,D,Answer\n0,问题,一,二,三,四,D\n");
        const ft::Benchmark c = ft::readBenchmark(cmmlu, {});
        QCOMPARE(c.style, ft::PromptStyle::Cmmlu);
        QCOMPARE(c.subjects[0].name, std::string("agronomy"));
        QCOMPARE(c.subjects[0].items[0].answer, 3);
        QCOMPARE(ft::benchmarkDescription(c.style, c.subjects[0]),
                 std::string("以下是关于agronomy的单项选择题，请直接给出正确答案的选项。\n\n"));
    }

    void readsJsonl()
    {
        const fs::path file = root() / "jsonl" / "quiz_test.jsonl";
        writeFile(
            file,
            R"({"question": "2+2?", "choices": ["3", "4", "5"], "answer": 1, "subject": "math"}
{"question": "Sky?", "choices": ["blue", "green"], "answer": "a", "subject": "nature"}

{"question": "Dev q", "choices": ["x", "y"], "answer": "B", "subject": "math", "split": "dev"}
)");
        writeFile(
            root() / "jsonl" / "quiz_dev.jsonl",
            R"({"question": "1+1?", "choices": ["2", "3", "4"], "answer": "A", "subject": "math"})");
        const ft::Benchmark b = ft::readBenchmark(file, {});
        QCOMPARE(b.subjects.size(), size_t(2));
        QCOMPARE(b.subjects[0].name, std::string("math"));
        QCOMPARE(b.subjects[0].items.size(), size_t(1));
        QCOMPARE(b.subjects[0].dev.size(), size_t(2));
        QCOMPARE(b.subjects[0].items[0].answer, 1);
        QCOMPARE(b.subjects[0].items[0].source, std::string("quiz_test.jsonl:1"));
        QCOMPARE(b.subjects[1].items[0].answer, 0);
        const ft::PromptParts p =
            ft::buildBenchmarkPrompt(b.style, b.subjects[0], b.subjects[0].items[0], 0);
        QCOMPARE(p.context,
                 std::string("The following are multiple choice questions (with answers) "
                             "about math.\n\n2+2?\nA. 3\nB. 4\nC. 5\nAnswer:"));
        QCOMPARE(p.continuations.size(), size_t(3));
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expectedText");
        QTest::newRow("answer letter outside")
            << "mmlu/test/x_test.csv" << QByteArray("q,a,b,c,d,A\nq2,a,b,c,d,E\n")
            << "x_test.csv:2: answer 'E' is not one of the 4 choices A-D";
        QTest::newRow("empty answer") << "mmlu/test/x_test.csv" << QByteArray("q,a,b,c,d, \n")
                                      << "x_test.csv:1: the answer is empty";
        QTest::newRow("field count")
            << "mmlu/test/x_test.csv" << QByteArray("q,a,b,c,d,A\nq,a,b,c,A\n")
            << "x_test.csv:2: 5 fields where row 1 has 6";
        QTest::newRow("empty question") << "mmlu/test/x_test.csv" << QByteArray("  ,a,b,c,d,A\n")
                                        << "x_test.csv:1: the question is empty";
        QTest::newRow("unclosed quote")
            << "mmlu/test/x_test.csv" << QByteArray("q,a,b,c,d,A\n\"q,a,b,c,d,A\n")
            << "x_test.csv:2: a quoted field is not closed";
        QTest::newRow("too few fields")
            << "mmlu/test/x_test.csv" << QByteArray("q,a,A\n") << "x_test.csv:1: 3 fields";
        QTest::newRow("missing answer column")
            << "mmlu/test/x_test.csv" << QByteArray("id,question,A,B,C,D\n1,q,a,b,c,d\n")
            << "x_test.csv:1: the header has no 'answer' column";
        QTest::newRow("empty subject name")
            << "mmlu/test/_test.csv" << QByteArray("q,a,b,c,d,A\n") << "empty subject name";
        QTest::newRow("invalid utf-8")
            << "mmlu/test/x_test.csv" << QByteArray("q\xc3(,a,b,c,d,A\n") << "x_test.csv:1:";
        QTest::newRow("jsonl index outside")
            << "j.jsonl" << QByteArray(R"({"question":"q","choices":["a","b"],"answer":2})")
            << "j.jsonl:1: answer index 2 is outside the 2 choices";
        QTest::newRow("jsonl letter outside")
            << "j.jsonl"
            << QByteArray("\n"
                          R"({"question":"q","choices":["a","b","c"],"answer":"D"})")
            << "j.jsonl:2: answer 'D' is not one of the 3 choices A-C";
        QTest::newRow("jsonl empty subject")
            << "j.jsonl"
            << QByteArray(R"({"question":"q","choices":["a","b"],"answer":0,"subject":" "})")
            << "j.jsonl:1: the subject is empty";
        QTest::newRow("jsonl choices not a list")
            << "j.jsonl" << QByteArray(R"({"question":"q","choices":"ab","answer":0})")
            << "j.jsonl:1: field 'choices' must be a list";
        QTest::newRow("jsonl one choice")
            << "j.jsonl" << QByteArray(R"({"question":"q","choices":["a"],"answer":0})")
            << "j.jsonl:1: 1 choices";
        QTest::newRow("jsonl missing question")
            << "j.jsonl" << QByteArray(R"({"choices":["a","b"],"answer":0})")
            << "j.jsonl:1: missing field 'question'";
        QTest::newRow("jsonl bad json")
            << "j.jsonl" << QByteArray("{\"question\": ") << "j.jsonl:1: not valid JSON";
        QTest::newRow("unknown layout")
            << "other/readme.txt" << QByteArray("hello") << "unknown benchmark layout";
    }
    void badInput()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, content);
        QFETCH(QString, expectedText);
        const std::string file = fileName.toStdString();
        const std::string expected = expectedText.toStdString();
        QTemporaryDir dir;
        const fs::path base(dir.path().toStdString());
        writeFile(base / file, content.toStdString());
        const fs::path target =
            base / (file.find('/') == std::string::npos ? file : file.substr(0, file.find('/')));
        const std::string message = badInputMessage(target);
        QVERIFY2(message.find(expected) != std::string::npos, message.c_str());
    }

    void missingSplitAndUnknownSubject()
    {
        const fs::path folder = root() / "splits";
        writeFile(folder / "dev" / "x_dev.csv", "q,a,b,c,d,A\n");
        writeFile(folder / "test" / "x_test.csv", "q,a,b,c,d,A\n");
        ft::BenchmarkReadOptions val;
        val.split = ft::BenchmarkSplit::Val;
        QVERIFY(badInputMessage(folder, val).find("no val/ folder (found: dev, test)") !=
                std::string::npos);
        ft::BenchmarkReadOptions subjects;
        subjects.subjects = {"y"};
        QVERIFY(badInputMessage(folder, subjects).find("unknown subject 'y' (have: x)") !=
                std::string::npos);
    }

    // Mutated benchmark files (flipped bytes, cuts) either read or fail with BadInput.
    void mutatedFilesFailCleanly()
    {
        const std::string csv = "q1,a,b,c,d,A\n\"q2, \"\"quoted\"\"\",a,b,c,d,B\nq3,a,b,c,d,C\n";
        const std::string header = "id,question,A,B,C,D,answer\n1,q,a,b,c,d,A\n2,q,a,b,c,d,D\n";
        const std::string jsonl =
            R"({"question":"q","choices":["a","b","c"],"answer":"B","subject":"s"})"
            "\n"
            R"({"question":"r","choices":["a","b"],"answer":1})"
            "\n";
        std::mt19937 rng(12345);
        int read = 0;
        for (int round = 0; round < 600; ++round) {
            const int kind = round % 3;
            std::string bytes = kind == 0 ? csv : kind == 1 ? header : jsonl;
            for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k)
                bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xFF);
            if (rng() % 4 == 0)
                bytes.resize(rng() % bytes.size());
            QTemporaryDir dir;
            const fs::path base(dir.path().toStdString());
            const fs::path target = kind == 2 ? base / "f.jsonl" : base;
            writeFile(kind == 2 ? target : base / "test" / "s_test.csv", bytes);
            try {
                ft::readBenchmark(target, {});
                ++read;
            } catch (const ft::Error &e) {
                QVERIFY2(e.kind() == ft::ErrorKind::BadInput, e.what());
            }
        }
        QVERIFY(read > 0);
    }

    void seededSubset()
    {
        ft::BenchmarkSubject s;
        s.items.resize(50);
        QCOMPARE(ft::pickBenchmarkItems(s, 0, 0).size(), size_t(50));
        QCOMPARE(ft::pickBenchmarkItems(s, 5, 0), (std::vector<size_t>{0, 1, 2, 3, 4}));
        const auto a = ft::pickBenchmarkItems(s, 5, 42);
        QCOMPARE(a, ft::pickBenchmarkItems(s, 5, 42));
        QVERIFY(a != ft::pickBenchmarkItems(s, 5, 43));
        QVERIFY(std::is_sorted(a.begin(), a.end()));
        QCOMPARE(ft::pickBenchmarkItems(s, 80, 1).size(), size_t(50));
    }

    // Reused caches (shared prefixes, batched multi-token choices) give what one full forward
    // pass without cache gives, for the base model and with prompt-tuning virtual tokens.
    void cachedScoringEqualsFullPasses_data()
    {
        QTest::addColumn<bool>("promptTuning");
        QTest::newRow("base") << false;
        QTest::newRow("prompt tuning") << true;
    }
    void cachedScoringEqualsFullPasses()
    {
        QFETCH(bool, promptTuning);
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        auto model = ft::Model::open(path.toStdString());
        ft::Model::Impl &impl = model->impl();
        if (promptTuning) {
            torch::manual_seed(3);
            const fs::path folder = root() / "prompt";
            ft::PromptTuningConfig config;
            config.numVirtualTokens = 4;
            ft::PromptTuningModel pt(impl.config, impl.weights, config, nullptr);
            pt.save(folder);
            pt.detach();
            model->attachAdapter(folder);
        }
        const std::vector<int32_t> shared{1, 450, 1494, 526, 2999, 17, 42, 1000, 7, 8, 9, 10};
        std::vector<std::vector<int32_t>> contexts;
        for (int q = 0; q < 4; ++q) {
            std::vector<int32_t> c = shared;
            for (int t = 0; t < 3 + q; ++t)
                c.push_back(static_cast<int32_t>((q * 131 + t * 17) % 2990 + 5));
            contexts.push_back(c);
        }
        contexts.push_back({1, 450}); // shares only two tokens
        contexts.push_back({1, 450}); // fully cached: its last token still runs
        const std::vector<std::vector<int32_t>> continuations{
            {319}, {350, 351}, {29907, 12, 13, 14}, {2}};
        torch::InferenceMode guard;
        std::vector<std::vector<int32_t>> fitting = continuations;
        fitting[2][0] = 2907; // inside the model's 3000 ids
        ft::ChoiceScorer scorer(*impl.decoder, true);
        int64_t fullTokens = 0;
        for (const auto &context : contexts) {
            const auto results = scorer.score(context, fitting);
            fullTokens += static_cast<int64_t>(context.size());
            QCOMPARE(results.size(), fitting.size());
            for (size_t i = 0; i < fitting.size(); ++i) {
                const double expected = referenceLogLikelihood(*model, context, fitting[i], true);
                QVERIFY2(std::abs(results[i].logLikelihood - expected) < 1e-4,
                         qPrintable(QString("choice %1: %2 vs %3")
                                        .arg(i)
                                        .arg(results[i].logLikelihood)
                                        .arg(expected)));
                QCOMPARE(results[i].tokenCount, int(fitting[i].size()));
            }
        }
        // Contexts run 15, then 4, 5, 6 tokens past the shared ones, then 1 and 1 (their last
        // token); the multi-token choices add 2 x 3 per context.
        QCOMPARE(scorer.forwardTokens(), int64_t(15 + 4 + 5 + 6 + 1 + 1 + 6 * 6));
        QVERIFY(fullTokens > 15 + 4 + 5 + 6 + 1 + 1);
        if (promptTuning) { // the base model from the same weights differs
            ft::ChoiceScorer base(*impl.decoder, false);
            const double tuned = scorer.score(contexts[0], fitting)[0].logLikelihood;
            QVERIFY(std::abs(base.score(contexts[0], fitting)[0].logLikelihood - tuned) > 1e-4);
        }
        try {
            scorer.score(contexts[0], continuations); // 29907 is outside the 3000 ids
            QFAIL("an id outside the vocabulary was scored");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
        }
    }

    // Several contexts scored as one batch (shared prefix once, the rest right-padded) give what
    // full forward passes give: a fresh scorer, one reusing its kept prefix, contexts sharing
    // nothing (virtual tokens added by the batch pass), identical contexts.
    void batchedScoringEqualsFullPasses_data() { cachedScoringEqualsFullPasses_data(); }
    void batchedScoringEqualsFullPasses()
    {
        QFETCH(bool, promptTuning);
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        auto model = ft::Model::open(path.toStdString());
        ft::Model::Impl &impl = model->impl();
        if (promptTuning) {
            torch::manual_seed(4);
            const fs::path folder = root() / "prompt-batch";
            ft::PromptTuningConfig config;
            config.numVirtualTokens = 3;
            ft::PromptTuningModel pt(impl.config, impl.weights, config, nullptr);
            pt.save(folder);
            pt.detach();
            model->attachAdapter(folder);
        }
        const std::vector<int32_t> shared{1, 450, 1494, 526, 2999, 17, 42, 1000};
        auto question = [&](int q, int length) {
            std::vector<int32_t> c = shared;
            for (int t = 0; t < length; ++t)
                c.push_back(static_cast<int32_t>((q * 131 + t * 17) % 2990 + 5));
            return c;
        };
        const std::vector<std::vector<std::vector<int32_t>>> batches{
            {question(0, 3), question(1, 7), question(2, 1), question(3, 5)}, // fresh scorer
            {question(4, 2), question(5, 6)},                                 // reuses the prefix
            {{5, 6, 7}, {9, 10}, {11}},                                       // nothing shared
            {{1, 450}, {1, 450}},                                             // identical
        };
        const std::vector<std::vector<int32_t>> continuations{{319}, {350, 351}, {2907, 12, 13}};
        torch::InferenceMode guard;
        ft::ChoiceScorer scorer(*impl.decoder, true);
        for (const auto &contexts : batches) {
            std::vector<ft::ChoiceScorer::Query> queries;
            for (const auto &c : contexts)
                queries.push_back({&c, &continuations});
            const auto results = scorer.scoreBatch(queries);
            QCOMPARE(results.size(), contexts.size());
            for (size_t q = 0; q < contexts.size(); ++q)
                for (size_t i = 0; i < continuations.size(); ++i) {
                    const double expected =
                        referenceLogLikelihood(*model, contexts[q], continuations[i], true);
                    QVERIFY2(std::abs(results[q][i].logLikelihood - expected) < 1e-4,
                             qPrintable(QString("context %1 choice %2: %3 vs %4")
                                            .arg(q)
                                            .arg(i)
                                            .arg(results[q][i].logLikelihood)
                                            .arg(expected)));
                }
        }
    }

    void evaluationCancelsAndRefusesTooManyShots()
    {
        FT_REQUIRE_FIXTURE(mmlu, "eval/mmlu");
        FT_REQUIRE_FIXTURE(path, "tiny-random-llama-2-hf");
        auto model = ft::Model::open(path.toStdString());
        ft::BenchmarkReadOptions read;
        read.subjects = {"anatomy"};
        const ft::Benchmark b = ft::readBenchmark(mmlu.toStdString(), read);
        std::atomic<bool> stop{true};
        ft::BenchmarkEvalOptions options;
        options.stop = &stop;
        try {
            ft::evaluateBenchmark(*model, b, options);
            QFAIL("not cancelled");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::Cancelled);
        }
        options.stop = nullptr;
        options.shots = 6;
        try {
            ft::evaluateBenchmark(*model, b, options);
            QFAIL("6 shots accepted");
        } catch (const ft::Error &e) {
            QCOMPARE(e.kind(), ft::ErrorKind::BadInput);
            QVERIFY2(std::string(e.what()).find("'anatomy' has 5 few-shot examples") !=
                         std::string::npos,
                     e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestBenchmark)
#include "tst_benchmark.moc"
