// The review of a text dataset at the document level (report["documents"]): document and token
// counts, exact copies and near duplicates, boilerplate lines repeated across documents (>= 30 %
// and >= 3 documents; a line in fewer is not), and the language mix. A chat dataset gets no
// document summary.
#include "ft/review.h"

#include <QTest>

#include <string>
#include <vector>

namespace {

ft::ReviewRow document(int64_t id, const std::string &text)
{
    ft::ReviewRow r;
    r.rowId = id;
    r.messages = {{"text", text}};
    r.plainText = true;
    return r;
}

const char *kCopyright = "Copyright 2026 Test Hospital. All rights reserved.";

std::string english(int i)
{
    static const char *texts[] = {
        "Aspirin lowers fever and eases the mild pain of a cold in most adults within an hour of the dose.",
        "The ward keeps a record of every visit, and the nurses check the charts of the patients twice a day.",
        "A child with a rash and a high temperature should be seen by a doctor on the same day, not later.",
        "Wash the hands before and after touching a wound; it is the simplest way to stop an infection.",
        "Blood pressure is measured with the arm at the level of the heart, after five minutes of rest.",
        "The trial compared two doses in a group of older patients and found no difference in the outcome.",
    };
    return texts[i];
}

} // namespace

class TestDocumentReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void documentsAreSummarised();
    void chatDatasetHasNoDocumentSummary();
};

void TestDocumentReview::documentsAreSummarised()
{
    std::vector<ft::ReviewRow> rows;
    int64_t id = 1;
    // 6 English documents, 4 of them with the copyright line; "Ward B" in 3.
    for (int i = 0; i < 6; ++i) {
        std::string text = english(i);
        if (i < 4)
            text += std::string("\n") + kCopyright;
        if (i >= 2 && i <= 4)
            text += "\nWard B internal use";
        rows.push_back(document(id++, text));
    }
    // An exact copy of the first document, and a near copy of the second (one word changed).
    rows.push_back(document(id++, rows[0].messages[0].content));
    std::string near = rows[1].messages[0].content;
    near.replace(near.find("nurses"), 6, "doctors");
    rows.push_back(document(id++, near));
    // Two Chinese documents (one with an English term), one empty.
    rows.push_back(document(id++, "患者因发热服用阿司匹林，三天后症状缓解。医生建议多喝水并注意休息，如有不适及时复诊。"));
    rows.push_back(document(id++, "本研究观察了阿司匹林（aspirin）对发热患者的疗效，结果显示症状明显减轻。"));
    rows.push_back(document(id++, "   "));

    ft::ReviewOptions o;
    o.nearDuplicateThreshold = 0.7;
    const ft::ReviewResult r = ft::reviewDataset(rows, o);
    QVERIFY2(r.report.contains("documents"), r.report.dump().c_str());
    const auto &d = r.report["documents"];
    QCOMPARE(d["documents"].get<int>(), 11);
    QCOMPARE(d["empty"].get<int>(), 1);
    QCOMPARE(d["tokens"]["exact"].get<bool>(), false);
    int64_t total = 0;
    for (const int64_t t : r.tokenCounts)
        total += t;
    QCOMPARE(d["tokens"]["total"].get<int64_t>(), total);
    QVERIFY(total > 0);
    QCOMPARE(d["duplicates"]["exact_copies"].get<int>(), 1);
    QCOMPARE(d["duplicates"]["near_duplicate_clusters"].get<int>(), 1);
    QCOMPARE(d["duplicates"]["documents_in_near_clusters"].get<int>(), 2);

    // The copyright line: in 6 of 11 documents (4, the exact copy and the near copy) >= 30 %;
    // "Ward B" in 3 is under 30 % of 11 (4 documents).
    const auto &boiler = d["boilerplate"];
    QCOMPARE(boiler["lines"].size(), size_t(1));
    QCOMPARE(boiler["lines"][0]["line"].get<std::string>(), std::string(kCopyright));
    QCOMPARE(boiler["lines"][0]["documents"].get<int>(), 6);
    QCOMPARE(boiler["documents_with_boilerplate"].get<int>(), 6);

    const auto &langs = d["languages"];
    QCOMPARE(langs.value("en", 0), 8);
    QCOMPARE(langs.value("zh", 0), 2);
    QCOMPARE(langs.value("none", 0), 1);
}

void TestDocumentReview::chatDatasetHasNoDocumentSummary()
{
    ft::ReviewRow qa;
    qa.rowId = 1;
    qa.messages = {{"user", "What lowers a fever?"}, {"assistant", "Aspirin, for adults."}};
    const ft::ReviewResult r = ft::reviewDataset({qa}, {});
    QVERIFY(!r.report.contains("documents"));
}

QTEST_GUILESS_MAIN(TestDocumentReview)
#include "tst_documentreview.moc"
