// Documents for continued pre-training: a folder of .txt / .md / .html files imports one document
// per file with its file name as the source; UTF-8 (with or without BOM), UTF-16 with a BOM and
// GB18030 are read; HTML loses its markup; an empty file is an empty document, counted and
// reported; a folder without documents is refused; a 200 MB single-line document is reported
// without holding it in memory.
#include "data/htmltext.h"
#include "ft/dataimport.h"
#include "ft/error.h"
#include "ft/project.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <set>

#include <sys/resource.h>

using namespace ft;

namespace {

std::string write(const QTemporaryDir &dir, const std::string &name, const std::string &bytes)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::vector<ProjectRow> allRows(const ProjectStore &store, const std::string &name)
{
    return store.rows(store.dataset(name).id, 0, 1000000);
}

std::string utf16(const std::u16string &text, bool littleEndian)
{
    std::string out = littleEndian ? "\xFF\xFE" : "\xFE\xFF";
    for (const char16_t c : text) {
        const char lo = static_cast<char>(c & 0xff), hi = static_cast<char>(c >> 8);
        out += littleEndian ? std::string{lo, hi} : std::string{hi, lo};
    }
    return out;
}

int64_t peakRssBytes()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

class TestDocumentImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void htmlLosesItsMarkup();
    void folderOfDocumentsInEveryEncoding();
    void emptyDocumentIsCountedAndReported();
    void folderWithoutDocumentsIsRefused();
    void hugeSingleLineDocumentIsBounded();
};

void TestDocumentImport::htmlLosesItsMarkup()
{
    const std::string html =
        "<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<h1>Aspirin</h1><!-- a comment --><p>Lowers   <b>fever</b> &amp; pain.</p>"
        "<script>var x = '<p>no</p>';</script><ul><li>dose&nbsp;500&#160;mg</li><li>&#x4E2D;&#25991;</li>"
        "</ul><p>5 &lt; 6 &unknown; A&B</p></body></html>";
    QCOMPARE(htmlToText(html),
             std::string("Aspirin\n\nLowers fever & pain.\n\ndose 500\u00a0mg\n\n中文\n\n5 < 6 &unknown; A&B"));
    QCOMPARE(htmlToText("<p>cut <b"), std::string("cut"));
    QVERIFY(isHtmlFileName("Page.HTM") && isHtmlFileName("a.html") && !isHtmlFileName("html.txt"));
}

void TestDocumentImport::folderOfDocumentsInEveryEncoding()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    QDir(dir.path()).mkpath("docs/web");
    write(dir, "docs/a_utf8.txt", "Line one.\nLine two: 中文.\n");
    write(dir, "docs/b_bom.md", "\xEF\xBB\xBF# Title\n\nBody.\n");
    write(dir, "docs/c_utf16le.txt", utf16(u"Unicode 文本 LE\r\nsecond", true));
    write(dir, "docs/d_utf16be.txt", utf16(u"Unicode 文本 BE", false));
    // "中文文档" in GB18030.
    write(dir, "docs/e_gb18030.txt", "\xd6\xd0\xce\xc4\xce\xc4\xb5\xb5\n");
    write(dir, "docs/web/f.html", "<html><body><p>Web <i>page</i></p></body></html>");
    write(dir, "docs/notes.bin", "not a document");
    const ImportResult r = importDataset(store, {dir.filePath("docs").toStdString()}, {});
    QCOMPARE(r.dataset.format, std::string("text"));
    QCOMPARE(r.badRowCount, int64_t(0));
    const auto rows = allRows(store, "docs");
    QCOMPARE(rows.size(), size_t(6));
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"a_utf8.txt", "Line one.\nLine two: 中文."},
        {"b_bom.md", "# Title\n\nBody."},
        {"c_utf16le.txt", "Unicode 文本 LE\nsecond"},
        {"d_utf16be.txt", "Unicode 文本 BE"},
        {"e_gb18030.txt", "中文文档"},
        {"web/f.html", "Web page"}};
    for (size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(rows[i].source, expected[i].first);
        QCOMPARE(rows[i].kind, RowKind::Text);
        QCOMPARE(rows[i].messages.at(0).content, expected[i].second);
    }
    // A single UTF-16 file, imported on its own, says its encoding.
    ImportOptions one;
    one.name = "single";
    one.textSplit = TextSplit::File;
    const ImportResult single = importDataset(store, {dir.filePath("docs/c_utf16le.txt").toStdString()}, one);
    QCOMPARE(single.encoding, std::string("utf-16le"));
}

void TestDocumentImport::emptyDocumentIsCountedAndReported()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    QDir(dir.path()).mkpath("docs");
    write(dir, "docs/a.txt", "A real document.\n");
    write(dir, "docs/empty.txt", "");
    write(dir, "docs/blank.md", "  \n\n\t\n");
    write(dir, "docs/markup.html", "<html><head><title>x</title></head><body> </body></html>");
    const ImportResult r = importDataset(store, {dir.filePath("docs").toStdString()}, {});
    QCOMPARE(r.dataset.rowCount, int64_t(1));
    QCOMPARE(r.badRowCount, int64_t(3));
    std::set<std::string> files;
    for (const BadRow &bad : r.badRows) {
        QVERIFY2(contains(bad.reason, "empty document"), bad.reason.c_str());
        files.insert(std::filesystem::path(bad.file).filename().string());
    }
    QCOMPARE(files, (std::set<std::string>{"blank.md", "empty.txt", "markup.html"}));
}

void TestDocumentImport::folderWithoutDocumentsIsRefused()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    QDir(dir.path()).mkpath("nothing");
    write(dir, "nothing/image.png", "\x89PNG");
    try {
        importDataset(store, {dir.filePath("nothing").toStdString()}, {});
        QFAIL("a folder without documents imported");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), ErrorKind::BadInput);
        QVERIFY2(contains(e.what(), "nothing") && contains(e.what(), "no documents"), e.what());
    }
    // Only empty documents: nothing to import, and the message says why.
    QDir(dir.path()).mkpath("empties");
    write(dir, "empties/a.txt", "");
    try {
        importDataset(store, {dir.filePath("empties").toStdString()}, {});
        QFAIL("a folder of empty documents imported");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), ErrorKind::BadInput);
        QVERIFY2(contains(e.what(), "empty document"), e.what());
    }
}

void TestDocumentImport::hugeSingleLineDocumentIsBounded()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    QDir(dir.path()).mkpath("big");
    const int64_t fileBytes = int64_t(200) << 20;
    {
        std::ofstream out(dir.filePath("big/huge.txt").toStdString(), std::ios::binary);
        const std::string chunk(1 << 20, 'a');
        for (int64_t written = 0; written < fileBytes; written += static_cast<int64_t>(chunk.size()))
            out << chunk;
    }
    write(dir, "big/small.txt", "A small document.");
    const int64_t before = peakRssBytes();
    const ImportResult r = importDataset(store, {dir.filePath("big").toStdString()}, {});
    const int64_t peak = peakRssBytes();
    QCOMPARE(r.dataset.rowCount, int64_t(1));
    QCOMPARE(r.badRowCount, int64_t(1));
    QCOMPARE(std::filesystem::path(r.badRows.at(0).file).filename().string(), std::string("huge.txt"));
    QVERIFY2(contains(r.badRows.at(0).reason, "longer than"), r.badRows.at(0).reason.c_str());
    // Memory bounded: the import grew the peak far less than the file (let alone 4x its size).
    qInfo("peak RSS %lld MiB before, %lld MiB after the import",
          static_cast<long long>(before >> 20), static_cast<long long>(peak >> 20));
    QVERIFY2(peak - before < fileBytes, "the import held the whole document");
    QVERIFY(peak < 4 * fileBytes);
}

QTEST_APPLESS_MAIN(TestDocumentImport)
#include "tst_documentimport.moc"
