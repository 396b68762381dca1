// Importers: CSV quoting corner cases, GB18030 and BOM, every format with its detection and
// confidence, the column mapping, bad rows counted with their lines, cancel and failures that
// leave nothing behind, duplicate content noticed, JSON object-of-lists, and export.
#include "ft/dataimport.h"
#include "ft/error.h"
#include "ft/project.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace ft;
using nlohmann::json;

namespace {

std::string write(const QTemporaryDir &dir, const std::string &name, const std::string &bytes)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

ImportResult import(ProjectStore &store, const std::string &path, ImportOptions o = {})
{
    return importDataset(store, {path}, o);
}

std::vector<ProjectRow> allRows(const ProjectStore &store, const std::string &name)
{
    const DatasetInfo d = store.dataset(name);
    return store.rows(d.id, 0, 1000000);
}

template <typename F>
std::string badInputMessage(F f)
{
    try {
        f();
    } catch (const Error &e) {
        if (e.kind() == ErrorKind::BadInput)
            return e.what();
        return std::string("(other error) ") + e.what();
    }
    return "(no error)";
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

class TestImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void csvQuotingCornerCases();
    void gb18030IsDetectedAndConverted();
    void everyFormatIsDetected();
    void plainTextAndFolders();
    void detectionConfidenceAndMapping();
    void badRowsAreCountedWithLines();
    void failuresLeaveNothing();
    void hostileFilesEndWithAMessage();
    void exportAlpacaAndMessages();
    void severalFilesMakeOneDataset();
};

void TestImport::csvQuotingCornerCases()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    const std::string csv =
        "\xEF\xBB\xBF" "instruction,input,output\r\n"          // BOM, CRLF
        "plain,,one\r\n"                                       // empty field
        "\"with, comma\",\"\",\"two\"\r\n"                     // quoted separator, empty quoted
        "\"say \"\"hi\"\"\",x,\"line1\nline2\r\nline3\"\n"     // doubled quotes, newlines in quotes, LF
        "ragged,row\n"                                         // 2 fields: bad row (line 7)
        "\n"                                                   // blank line: skipped
        "last,\"\",\"ends without newline\"";
    const ImportResult r = import(store, write(dir, "q.csv", csv));
    QCOMPARE(r.dataset.format, std::string("alpaca"));
    QCOMPARE(r.encoding, std::string("utf-8-bom"));
    QCOMPARE(r.dataset.rowCount, int64_t(4));
    QCOMPARE(r.badRowCount, int64_t(1));
    QCOMPARE(r.badRows.at(0).line, int64_t(7)); // the quoted newlines count
    QVERIFY2(contains(r.badRows.at(0).reason, "2 fields where the header has 3"), r.badRows.at(0).reason.c_str());
    const auto rows = allRows(store, "q");
    QCOMPARE(rows[0].messages.at(0).content, std::string("plain")); // BOM not part of the header
    QCOMPARE(rows[0].original["instruction"].get<std::string>(), std::string("plain"));
    QCOMPARE(rows[1].messages.at(0).content, std::string("with, comma"));
    QCOMPARE(rows[2].messages.at(0).content, std::string("say \"hi\"\n\nx"));
    QCOMPARE(rows[2].messages.at(1).content, std::string("line1\nline2\r\nline3"));
    QCOMPARE(rows[3].messages.at(1).content, std::string("ends without newline"));

    // TSV, and a quote left open to the end of the file (a bad row, not a crash).
    const ImportResult t = import(store, write(dir, "t.tsv", "instruction\toutput\na\tb\n\"open\tc\n"));
    QCOMPARE(t.dataset.rowCount, int64_t(1));
    QCOMPARE(t.badRowCount, int64_t(1));
    QVERIFY(contains(t.badRows.at(0).reason, "not closed"));
}

void TestImport::gb18030IsDetectedAndConverted()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    // "instruction,output\n你好，世界,\"欢迎, 朋友😀\"\n" in GB18030 (the emoji is a 4-byte sequence).
    const std::string gb =
        "\x69\x6e\x73\x74\x72\x75\x63\x74\x69\x6f\x6e\x2c\x6f\x75\x74\x70\x75\x74\x0a\xc4\xe3\xba\xc3\xa3\xac"
        "\xca\xc0\xbd\xe7\x2c\x22\xbb\xb6\xd3\xad\x2c\x20\xc5\xf3\xd3\xd1\x94\x39\xfc\x36\x22\x0a";
    const ImportResult r = import(store, write(dir, "zh.csv", gb));
    QCOMPARE(r.encoding, std::string("gb18030"));
    QCOMPARE(r.dataset.rowCount, int64_t(1));
    const auto rows = allRows(store, "zh");
    QCOMPARE(rows[0].messages.at(0).content, std::string("你好，世界"));
    QCOMPARE(rows[0].messages.at(1).content, std::string("欢迎, 朋友😀"));
}

void TestImport::everyFormatIsDetected()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    struct Case { const char *file; const char *content; const char *format; int rows; };
    const Case cases[] = {
        {"alp.json",
         R"([{"instruction": "Add", "input": "1 2", "output": "3", "system": "math",
              "history": [["hi", "hello"]]}, {"instruction": "B", "output": "b"}])",
         "alpaca", 2},
        {"sg.jsonl",
         R"({"conversations": [{"from": "system", "value": "sys"}, {"from": "human", "value": "q"}, {"from": "function_call", "value": "{\"name\": \"f\"}"}, {"from": "observation", "value": "42"}, {"from": "gpt", "value": "a"}], "tools": "[]"})"
         "\n"
         R"({"conversations": [{"from": "human", "value": "q2"}, {"from": "gpt", "value": "a2"}]})",
         "sharegpt", 2},
        {"msg.jsonl",
         R"({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "text", "text": "part1 "}, {"type": "text", "text": "part2"}]}, {"role": "assistant", "content": "r"}]})",
         "messages", 1},
        {"txt.jsonl", R"({"text": "some raw text"})" "\n" R"({"text": "more"})", "text", 2},
        {"pref.json",
         R"([{"instruction": "q", "chosen": "good", "rejected": "bad"},
             {"conversations": [{"from": "human", "value": "q"}], "chosen": {"from": "gpt", "value": "g"}, "rejected": {"from": "gpt", "value": "b"}}])",
         "preference", 2},
        {"mc.csv", "question,A,B,C,D,answer\nWhat is 2+2?,3,4,5,6,B\n\"Sky?\",blue,red,green,pink,A\n",
         "choice", 2},
    };
    for (const Case &c : cases) {
        const ImportResult r = import(store, write(dir, c.file, c.content));
        QVERIFY2(r.dataset.format == c.format, (std::string(c.file) + " -> " + r.dataset.format).c_str());
        QCOMPARE(r.dataset.rowCount, int64_t(c.rows));
        QCOMPARE(r.badRowCount, int64_t(0));
        QCOMPARE(r.detection.confidence, 1.0);
    }
    auto alp = allRows(store, "alp");
    QCOMPARE(alp[0].system, std::string("math"));
    QCOMPARE(alp[0].messages.size(), size_t(4));
    QCOMPARE(alp[0].messages[2].content, std::string("Add\n\n1 2"));
    QVERIFY(alp[0].kind == RowKind::Sft);
    auto sg = allRows(store, "sg");
    QCOMPARE(sg[0].system, std::string("sys"));
    QCOMPARE(sg[0].messages.size(), size_t(4));
    QCOMPARE(sg[0].messages[1].role, std::string("function_call"));
    QCOMPARE(sg[0].messages[2].role, std::string("observation"));
    QCOMPARE(sg[0].original["tools"].get<std::string>(), std::string("[]"));
    auto msg = allRows(store, "msg");
    QCOMPARE(msg[0].messages[0].content, std::string("part1 part2"));
    QCOMPARE(msg[0].system, std::string("s"));
    QVERIFY(allRows(store, "txt")[0].kind == RowKind::Text);
    auto pref = allRows(store, "pref");
    QVERIFY(pref[1].kind == RowKind::Preference);
    QCOMPARE(pref[1].messages.back().content, std::string("g"));
    QCOMPARE(pref[0].original["rejected"].get<std::string>(), std::string("bad"));
    auto mc = allRows(store, "mc");
    QVERIFY(mc[0].kind == RowKind::Choice);
    QCOMPARE(mc[0].messages[0].content, std::string("What is 2+2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:"));
    QCOMPARE(mc[0].messages[1].content, std::string("B"));
}

void TestImport::plainTextAndFolders()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    const std::string text = "first line\nsecond line\n\nthird\nfourth\n";
    ImportResult r = import(store, write(dir, "doc.txt", text));
    QCOMPARE(r.dataset.format, std::string("text"));
    QCOMPARE(r.dataset.rowCount, int64_t(4));
    ImportOptions para;
    para.name = "para";
    para.textSplit = TextSplit::Paragraph;
    para.allowDuplicate = true;
    r = import(store, dir.filePath("doc.txt").toStdString(), para);
    QCOMPARE(r.dataset.rowCount, int64_t(2));
    QCOMPARE(allRows(store, "para")[1].messages[0].content, std::string("third\nfourth"));
    QDir(dir.path()).mkpath("corpus/sub");
    write(dir, "corpus/a.txt", "alpha\nbeta\n");
    write(dir, "corpus/sub/b.md", "# title\n\nbody\n");
    write(dir, "corpus/ignored.bin", "x");
    r = importDataset(store, {dir.filePath("corpus").toStdString()}, {});
    QCOMPARE(r.dataset.name, std::string("corpus"));
    QCOMPARE(r.dataset.rowCount, int64_t(2));
    const auto rows = allRows(store, "corpus");
    QCOMPARE(rows[0].messages[0].content, std::string("alpha\nbeta"));
    QCOMPARE(rows[1].source, std::string("sub/b.md"));
    QCOMPARE(rows[1].messages[0].content, std::string("# title\n\nbody"));
}

void TestImport::detectionConfidenceAndMapping()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    std::string mixed;
    for (int i = 0; i < 3; ++i)
        mixed += R"({"instruction": "i", "output": "o"})" "\n";
    mixed += R"({"text": "t"})" "\n";
    const ImportResult r = import(store, write(dir, "mixed.jsonl", mixed));
    QCOMPARE(r.dataset.format, std::string("alpaca"));
    QCOMPARE(r.detection.confidence, 0.75);
    QVERIFY2(contains(r.detection.reason, "3 of 4"), r.detection.reason.c_str());
    QCOMPARE(r.dataset.rowCount, int64_t(3));
    QCOMPARE(r.badRowCount, int64_t(1)); // the text row has no 'instruction'
    QVERIFY2(contains(r.badRows[0].reason, "instruction"), r.badRows[0].reason.c_str());

    // Unknown columns: detection fails naming the fields; --map fixes it.
    const std::string qa = write(dir, "qa.jsonl", R"({"q": "why", "a": "because"})" "\n");
    const std::string msg = badInputMessage([&] { import(store, qa); });
    QVERIFY2(contains(msg, "'q'") && contains(msg, "--map"), msg.c_str());
    ImportOptions o;
    o.columnMap = {{"q", "instruction"}, {"a", "output"}};
    const ImportResult m = import(store, qa, o);
    QCOMPARE(m.dataset.format, std::string("alpaca"));
    QCOMPARE(allRows(store, "qa")[0].messages[1].content, std::string("because"));
    QCOMPARE(store.dataset("qa").columnMapping["columns"]["q"].get<std::string>(), std::string("instruction"));
    // An explicit format is taken as given.
    ImportOptions f;
    f.format = DataFormat::Text;
    f.name = "as_text";
    f.allowDuplicate = true;
    QCOMPARE(import(store, dir.filePath("mixed.jsonl").toStdString(), f).dataset.rowCount, int64_t(1));
}

void TestImport::badRowsAreCountedWithLines()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    const std::string json = "[\n"
                             "  {\"instruction\": \"a\", \"output\": \"1\"},\n"
                             "  {\"instruction\": \"b\", \"output\": 2 3},\n"          // syntax error, line 3
                             "  {\"instruction\": \"c\", \"output\": \"x, ] }\"},\n"  // brackets in a string
                             "  {\"input\": \"no instruction\", \"output\": \"4\"},\n" // missing field, line 5
                             "  {\"instruction\": \"d\", \"output\": \"5\"}\n"
                             "]\n";
    const ImportResult r = import(store, write(dir, "bad.json", json));
    QCOMPARE(r.dataset.rowCount, int64_t(3));
    QCOMPARE(r.badRowCount, int64_t(2));
    QCOMPARE(r.badRows[0].line, int64_t(3));
    QVERIFY(contains(r.badRows[0].reason, "not valid JSON"));
    QCOMPARE(r.badRows[1].line, int64_t(5));
    QVERIFY(contains(r.badRows[1].reason, "'instruction'"));
    QCOMPARE(allRows(store, "bad")[1].messages[1].content, std::string("x, ] }"));

    // JSONL with invalid UTF-8 on one line.
    const ImportResult u = import(store, write(dir, "u.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"bad \xff\xfe\"}\n{\"text\": \"ok2\"}\n"));
    QCOMPARE(u.dataset.rowCount, int64_t(2));
    QCOMPARE(u.badRows.at(0).line, int64_t(2));

    // A record over 64 MiB is a bad row (not held in memory); reading goes on after it.
    const std::string huge(65u << 20, 'x');
    const ImportResult hl = import(store, write(dir, "hugeline.jsonl", "{\"text\": \"" + huge + "\"}\n{\"text\": \"after\"}\n"));
    QCOMPARE(hl.dataset.rowCount, int64_t(1));
    QVERIFY(contains(hl.badRows.at(0).reason, "longer than 64 MiB"));
    const ImportResult hj = import(store, write(dir, "huge.json", "[{\"text\": \"" + huge + "\"},\n{\"text\": \"after\"}]"));
    QCOMPARE(hj.dataset.rowCount, int64_t(1));
    QCOMPARE(hj.badRows.at(0).line, int64_t(1));
    QCOMPARE(allRows(store, "huge")[0].messages[0].content, std::string("after"));

    // Object of lists: each key is a subset, recorded as the row's source.
    const ImportResult s = import(store, write(dir, "obj.json",
        R"({"train": [{"text": "a"}, {"text": "b"}], "meta": 5, "test": [{"text": "c"}]})"));
    QCOMPARE(s.dataset.rowCount, int64_t(3));
    QCOMPARE(s.badRowCount, int64_t(1));
    QCOMPARE(allRows(store, "obj")[2].source, std::string("obj.json:test"));
}

void TestImport::failuresLeaveNothing()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    QVERIFY(contains(badInputMessage([&] { import(store, write(dir, "empty.jsonl", "")); }), "empty"));
    QVERIFY(contains(badInputMessage([&] { import(store, write(dir, "bin.json", std::string("\x7f" "ELF\0\0\x01", 7))); }),
                     "binary"));
    QVERIFY(contains(badInputMessage([&] { import(store, write(dir, "allbad.jsonl", "{\"x\": 1\n{\"y\": \n")); }),
                     "allbad.jsonl"));
    QVERIFY(contains(badInputMessage([&] { import(store, dir.filePath("nope.json").toStdString()); }), "not found"));
    QVERIFY(store.datasets().empty());

    // Cancel from the progress callback, part-way through 10,000 rows.
    std::string big;
    for (int i = 0; i < 10000; ++i)
        big += "{\"instruction\": \"q" + std::to_string(i) + "\", \"output\": \"a\"}\n";
    const std::string bigPath = write(dir, "big.jsonl", big);
    std::atomic<bool> cancel{false};
    ImportOptions o;
    o.cancel = &cancel;
    int64_t seenRows = 0;
    o.progress = [&](const ImportProgress &p) {
        seenRows = p.rows;
        cancel = true;
    };
    try {
        import(store, bigPath, o);
        QFAIL("cancel ignored");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), ErrorKind::Cancelled);
    }
    QVERIFY(seenRows > 0);
    QVERIFY(store.datasets().empty());
    ProjectStore other(dir.filePath("p.ftproj").toStdString(), true);
    QVERIFY(other.datasets().empty());

    // The same content twice is noticed; allowed when asked.
    cancel = false;
    o = {};
    QCOMPARE(import(store, bigPath, o).dataset.rowCount, int64_t(10000));
    const std::string copy = write(dir, "copy.jsonl", big);
    const std::string msg = badInputMessage([&] { import(store, copy); });
    QVERIFY2(contains(msg, "already in the project as dataset 'big'"), msg.c_str());
    o.allowDuplicate = true;
    QCOMPARE(import(store, copy, o).duplicateOf, std::string("big"));
    QVERIFY(contains(badInputMessage([&] { import(store, copy, o); }), "already exists"));
}

// Found by fuzzing (issue 16): a hang, stack overflows and messages that named no file.
void TestImport::hostileFilesEndWithAMessage()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    // One extra '}' after the first record looped forever.
    const ImportResult stray = import(store, write(dir, "stray.json", R"([{"instruction":"a","output":"b"}}])"));
    QCOMPARE(stray.dataset.rowCount, int64_t(1));
    QCOMPARE(stray.badRowCount, int64_t(1));
    QVERIFY2(contains(stray.badRows.at(0).reason, "expected ',' or ']'"), stray.badRows.at(0).reason.c_str());
    const ImportResult lead = import(store, write(dir, "lead.json", R"([,}, {"text": "x"}])"));
    QCOMPARE(lead.dataset.rowCount, int64_t(1));

    // A field nested 100,000 levels deep: a bad row, not a stack overflow.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const ImportResult nested = import(store, write(dir, "nested.jsonl",
        "{\"text\": \"ok\"}\n{\"text\": \"x\", \"extra\": " + deep + "}\n"));
    QCOMPARE(nested.dataset.rowCount, int64_t(1));
    QVERIFY(contains(nested.badRows.at(0).reason, "nested deeper"));
    const ImportResult nestedJson = import(store, write(dir, "nestedlist.json",
        "[{\"text\": \"ok\"}, {\"text\": " + deep + "}]"));
    QCOMPARE(nestedJson.dataset.rowCount, int64_t(1));

    // Errors name the file.
    std::string m = badInputMessage([&] { import(store, write(dir, "utf16.json", "\xff\xfe[\0{\0")); });
    QVERIFY2(contains(m, "utf16.json"), m.c_str());
    m = badInputMessage([&] { import(store, write(dir, "blank.jsonl", "\n\n\n")); });
    QVERIFY2(contains(m, "blank.jsonl") && contains(m, "no records"), m.c_str());
    m = badInputMessage([&] { import(store, write(dir, "dup.csv", "a,a\n1,2\n")); });
    QVERIFY2(contains(m, "dup.csv") && contains(m, "appears twice"), m.c_str());
    QVERIFY(!store.findDataset("dup"));
}

void TestImport::exportAlpacaAndMessages()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    import(store, write(dir, "a.json", R"([{"instruction": "I1", "input": "x", "output": "O1"},
                                            {"instruction": "I2", "input": "", "output": "O2"},
                                            {"instruction": "I3", "output": "O3", "system": "S"}])"));
    const DatasetInfo d = store.dataset("a");
    store.setStatus(d.id, {1}, RowStatus::Excluded);
    store.setStatus(d.id, {2}, RowStatus::Accepted);
    store.editRow(d.id, 0, {{"user", "E1"}, {"assistant", "F1"}});
    const std::string out = dir.filePath("out.jsonl").toStdString();
    ExportResult r = exportDataset(store, "a", out, {});
    QCOMPARE(r.written, int64_t(2));
    std::ifstream in(out);
    std::string l1, l2;
    std::getline(in, l1);
    std::getline(in, l2);
    QVERIFY2(json::parse(l1) == json({{"instruction", "E1"}, {"input", ""}, {"output", "F1"}}), l1.c_str());
    QVERIFY2(json::parse(l2) == json({{"instruction", "I3"}, {"input", ""}, {"output", "O3"}, {"system", "S"}}),
             l2.c_str());
    ExportOptions acc;
    acc.onlyAccepted = true;
    acc.format = "messages";
    r = exportDataset(store, "a", out, acc);
    QCOMPARE(r.written, int64_t(1));
    std::ifstream in2(out);
    std::getline(in2, l1);
    QCOMPARE(json::parse(l1)["messages"][0]["content"].get<std::string>(), std::string("S"));
    QVERIFY(!std::filesystem::exists(out + ".tmp"));
    ExportOptions sp;
    sp.split = "train";
    QVERIFY(contains(badInputMessage([&] { exportDataset(store, "a", out, sp); }), "no splits"));
}

void TestImport::severalFilesMakeOneDataset()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    std::string a, b;
    for (int i = 0; i < 30; ++i)
        a += "{\"instruction\": \"a" + std::to_string(i) + "\", \"output\": \"x\"}\n";
    b = "instruction,output\n";
    for (int i = 0; i < 10; ++i)
        b += "b" + std::to_string(i) + ",y\n";
    ImportOptions o;
    o.name = "both";
    const ImportResult r = importDataset(store, {write(dir, "a.jsonl", a), write(dir, "b.csv", b)}, o);
    QCOMPARE(r.dataset.rowCount, int64_t(40));
    const auto rows = allRows(store, "both");
    QCOMPARE(rows[0].source, std::string("a.jsonl"));
    QCOMPARE(rows[39].source, std::string("b.csv"));
    QCOMPARE(rows[39].messages[0].content, std::string("b9"));
    // Stratified by source: each file keeps its share in validation.
    store.assignSplits(r.dataset.id, {0.2, 0.0, 3, true});
    int valA = 0, valB = 0;
    for (const auto &row : allRows(store, "both"))
        if (row.split == "validation")
            ++(row.source == "a.jsonl" ? valA : valB);
    QCOMPARE(valA, 6);
    QCOMPARE(valB, 2);
    // Files of different formats are refused, naming both.
    const std::string msg = badInputMessage([&] {
        ImportOptions m;
        m.name = "mixed";
        importDataset(store, {dir.filePath("a.jsonl").toStdString(), write(dir, "t.txt", "plain\n")}, m);
    });
    QVERIFY2(contains(msg, "t.txt") && contains(msg, "a.jsonl"), msg.c_str());
}

QTEST_APPLESS_MAIN(TestImport)
#include "tst_import.moc"
