// PDF and DOCX documents for continued pre-training. The test writes its own files: PDFs with
// Helvetica text (a running header, page numbers, a word hyphenated across lines and pages, a
// page without text), and DOCX zips (stored and deflated entries, tabs, breaks, entities, tab
// stops, a text box's fallback copy). Checked: the cleaned text, the pages each document keeps,
// the messages for scanned, damaged and empty files, and the zip-bomb bounds.
#include "data/docxtext.h"
#include "data/pagetext.h"
#include "data/pdftext.h"
#include "data/zipreader.h"
#include "ft/dataimport.h"
#include "ft/importpreview.h"
#include "ft/project.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <fstream>
#include <set>

using namespace ft;

namespace {

std::string write(const QTemporaryDir &dir, const std::string &name, const std::string &bytes)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

// A PDF 1.4 with the standard Helvetica font: a page per entry, a line per string, top down.
std::string makePdf(const std::vector<std::vector<std::string>> &pages, bool withFont = true)
{
    std::vector<std::string> objects; // object i+1
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    std::string kids;
    for (size_t p = 0; p < pages.size(); ++p)
        kids += std::to_string(4 + 2 * p) + " 0 R ";
    objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
    objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
    for (const auto &lines : pages) {
        std::string content;
        if (withFont) {
            content = "BT /F1 11 Tf 14 TL 60 760 Td\n";
            for (const auto &line : lines) {
                std::string escaped;
                for (const char c : line) {
                    if (c == '(' || c == ')' || c == '\\')
                        escaped += '\\';
                    escaped += c;
                }
                content += "(" + escaped + ") Tj T*\n";
            }
            content += "ET\n";
        } else {
            content = "0.5 g 60 300 400 400 re f\n"; // a scanned page: only a picture-like fill
        }
        const size_t contentObj = objects.size() + 2;
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                          "/Contents " + std::to_string(contentObj) + " 0 R >>");
        objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
    }
    std::string pdf = "%PDF-1.4\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const size_t o : offsets) {
        char line[21];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

void le16(std::string &s, uint16_t v) { s += char(v & 0xff), s += char(v >> 8); }
void le32(std::string &s, uint32_t v) { le16(s, uint16_t(v & 0xffff)), le16(s, uint16_t(v >> 16)); }

struct ZipFile
{
    std::string name, data;
    bool deflate = true;
    uint32_t declaredSize = 0; // 0: the real size
};

std::string rawDeflate(const std::string &in)
{
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, in.size()), '\0');
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string makeZip(const std::vector<ZipFile> &files)
{
    std::string zip, cd;
    for (const auto &f : files) {
        const std::string body = f.deflate ? rawDeflate(f.data) : f.data;
        const uint32_t crc = crc32(0, reinterpret_cast<const Bytef *>(f.data.data()), uInt(f.data.size()));
        const uint32_t size = f.declaredSize ? f.declaredSize : uint32_t(f.data.size());
        const uint32_t offset = uint32_t(zip.size());
        zip += "PK\x03\x04";
        le16(zip, 20), le16(zip, 0), le16(zip, f.deflate ? 8 : 0), le16(zip, 0), le16(zip, 0);
        le32(zip, crc), le32(zip, uint32_t(body.size())), le32(zip, size);
        le16(zip, uint16_t(f.name.size())), le16(zip, 0);
        zip += f.name + body;
        cd += "PK\x01\x02";
        le16(cd, 20), le16(cd, 20), le16(cd, 0), le16(cd, f.deflate ? 8 : 0), le16(cd, 0), le16(cd, 0);
        le32(cd, crc), le32(cd, uint32_t(body.size())), le32(cd, size);
        le16(cd, uint16_t(f.name.size())), le16(cd, 0), le16(cd, 0), le16(cd, 0), le16(cd, 0);
        le32(cd, 0), le32(cd, offset);
        cd += f.name;
    }
    const uint32_t cdOffset = uint32_t(zip.size());
    zip += cd + "PK\x05\x06";
    le16(zip, 0), le16(zip, 0), le16(zip, uint16_t(files.size())), le16(zip, uint16_t(files.size()));
    le32(zip, uint32_t(cd.size())), le32(zip, cdOffset), le16(zip, 0);
    return zip;
}

std::string wordXml(const std::string &body)
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
           "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><w:body>" +
           body + "</w:body></w:document>";
}

std::string makeDocx(const std::string &body, bool deflate = true)
{
    return makeZip({{"[Content_Types].xml", "<Types/>", false},
                    {"word/document.xml", wordXml(body), deflate},
                    {"docProps/app.xml", "<Properties/>", true}});
}

const std::string kLong1 = "Aspirin lowers fever and eases mild pain in most adults when it is taken as";
const std::string kLong2 = "directed by a physician; the usual course of treat-";
const std::string kLong3 = "ment lasts a few days and is stopped when the symptoms fade away for good.";

std::vector<std::vector<std::string>> journalPages()
{
    return {
        {"Journal of Test Medicine, Vol. 3", "", kLong1, kLong2, kLong3, "Short last line.", "",
         "A second paragraph begins here and continues with enough words to fill the line",
         "and its last line on this page is long and ends without any stop so that the", "1"},
        {"Journal of Test Medicine, Vol. 3", "", "end of the page is where the reader turns over and reads on as if",
         "nothing had happened at all between these two pages of the article.", "", "Dosage",
         "Adults take one tablet of five hundred milligrams every six hours with water;", "2"},
        {"Journal of Test Medicine, Vol. 3", "", "children under twelve must not take it without a doctor who has",
         "looked at them first, because of a rare but serious reaction.", "3"},
    };
}

} // namespace

class TestPdfDocxImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pagesJoinIntoParagraphs();
    void pdfTextLayerIsCleaned();
    void pdfProblemsNameTheFile();
    void docxParagraphsTabsBreaksEntities();
    void docxFromZipStoredAndDeflated();
    void zipBombsAndDamageAreRefused();
    void folderMixesPdfDocxAndText();
    void textColumnsAndChineseFilesAreDocuments();
};

void TestPdfDocxImport::pagesJoinIntoParagraphs()
{
    std::vector<std::string> pages;
    for (const auto &lines : journalPages()) {
        std::string page;
        for (const auto &l : lines)
            page += l + "\n";
        pages.push_back(page);
    }
    const PagedText t = joinPages(pages);
    QVERIFY2(!contains(t.text, "Journal of Test"), t.text.c_str());
    QVERIFY2(contains(t.text, "course of treatment lasts"), t.text.c_str());
    QVERIFY2(contains(t.text, "so that the end of the page is"), t.text.c_str());
    QVERIFY2(contains(t.text, "for good. Short last line.\n\nA second"), t.text.c_str());
    QVERIFY2(contains(t.text, "article.\n\nDosage\n\nAdults take"), t.text.c_str());
    QVERIFY2(contains(t.text, "with water; children under twelve"), t.text.c_str());
    QVERIFY2(!contains(t.text, "\n1\n") && t.text.back() == '.', t.text.c_str());
    QCOMPARE(t.pageOffsets.size(), size_t(3));
    QCOMPARE(t.pageOffsets[0], size_t(0));
    QVERIFY2(t.text.compare(t.pageOffsets[1], 10, "end of the") == 0, t.text.c_str());
    QVERIFY2(t.text.compare(t.pageOffsets[2], 8, "children") == 0, t.text.c_str());
    // A book's running head changes with the chapter: each is on 2 of 6 pages (under 40 %) but
    // is the first line of those pages.
    std::vector<std::string> book;
    const char *chapters[] = {"Chapter 1: Fever", "Chapter 2: Pain", "Chapter 3: Dosage"};
    for (int p = 0; p < 6; ++p)
    {
        static const char *bodies[] = {"A fever is the body's answer to an infection.", "Most fevers pass in three days.",
                                       "Pain has many causes and as many names.", "Rest helps a sprain more than pills.",
                                       "Adults take one tablet every six hours.", "Children need a doctor's advice first."};
        book.push_back(std::string(chapters[p / 2]) + " " + std::to_string(p + 1) + "\n" + bodies[p] + "\n");
    }
    const PagedText b = joinPages(book);
    QVERIFY2(!contains(b.text, "Chapter"), b.text.c_str());
    QVERIFY2(contains(b.text, "Children need a doctor's advice first."), b.text.c_str());
    // A compound's own hyphen stays; a hyphen before a capital or a digit is not joined away.
    const PagedText c = joinPages({"Among the patients with a long and well-\nKnown history of severe COVID-\n19 symptoms, most were seen here.\n"});
    QVERIFY2(contains(c.text, "well-Known history of severe COVID-19 symptoms"), c.text.c_str());
    // Chinese lines join without a space; page-number forms go from the page edges.
    const PagedText z = joinPages({"第 1 页\n这是一段很长的中文文字，跨越了两行并且应该被直接连接在一起\n没有空格。\n",
                                   "第 2 页\n第二页的内容。\n"});
    QVERIFY2(contains(z.text, "连接在一起没有空格。"), z.text.c_str());
    QVERIFY2(!contains(z.text, "页\n") && !contains(z.text, "第 1"), z.text.c_str());
}

void TestPdfDocxImport::pdfTextLayerIsCleaned()
{
    QTemporaryDir dir;
    const std::string pdf = write(dir, "journal.pdf", makePdf(journalPages()));
    const PdfPages pages = readPdfPages(pdf);
    QVERIFY2(pages.error.empty(), pages.error.c_str());
    QCOMPARE(pages.pages.size(), size_t(3));
    // Poppler's reading order joins "treat-" + "ment" itself; the cleaning keeps it joined.
    QVERIFY2(contains(pages.pages[0], "Journal of Test Medicine"), pages.pages[0].c_str());

    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    const ImportResult r = importDataset(store, {pdf}, {});
    QCOMPARE(r.dataset.format, std::string("text"));
    QCOMPARE(r.encoding, std::string("pdf"));
    QCOMPARE(r.dataset.rowCount, int64_t(1));
    const auto rows = store.rows(store.dataset("journal").id, 0, 10);
    const std::string &text = rows[0].messages.at(0).content;
    QVERIFY2(contains(text, "course of treatment lasts a few days"), text.c_str());
    QVERIFY2(!contains(text, "Journal of Test Medicine"), text.c_str());
    QVERIFY2(contains(text, "so that the end of the page is"), text.c_str());
    QVERIFY2(contains(text, "\n\nDosage\n\n"), text.c_str());
    QVERIFY2(text.back() == '.', text.c_str());
    QCOMPARE(rows[0].source, std::string("journal.pdf"));
    QVERIFY(rows[0].original["pages"] == nlohmann::json::array({1, 3}));
    const auto starts = rows[0].original["page_starts"].get<std::vector<size_t>>();
    QCOMPARE(starts.size(), size_t(3));
    QVERIFY2(text.compare(starts[2], 8, "children") == 0, text.c_str());

    const ImportPreview preview = previewImport(pdf, {});
    QCOMPARE(preview.fileKind, std::string("pdf"));
    QCOMPARE(preview.detection.format, DataFormat::Text);
    QVERIFY(preview.rows.size() == 1 && preview.rows[0].problem.empty());
}

void TestPdfDocxImport::pdfProblemsNameTheFile()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    const std::string scanned = write(dir, "scan.pdf", makePdf({{}, {}}, false));
    QVERIFY2(contains(readPdfPages(scanned).error, "no text layer (scanned?)"), readPdfPages(scanned).error.c_str());
    const std::string damaged = write(dir, "broken.pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage\n");
    QVERIFY2(contains(readPdfPages(damaged).error, "damaged"), readPdfPages(damaged).error.c_str());
    // On their own: BadInput naming the file and the reason.
    for (const auto &[file, reason] : std::vector<std::pair<std::string, std::string>>{
             {scanned, "no text layer (scanned?)"}, {damaged, "damaged"}}) {
        try {
            importDataset(store, {file}, {});
            QFAIL("imported an unreadable PDF");
        } catch (const std::exception &e) {
            QVERIFY2(contains(e.what(), file) && contains(e.what(), reason), e.what());
        }
    }
    // In a folder: bad documents, counted and listed, the readable ones imported.
    QDir(dir.path()).mkpath("docs");
    write(dir, "docs/scan.pdf", makePdf({{}}, false));
    write(dir, "docs/broken.pdf", "%PDF-1.4 not really");
    write(dir, "docs/empty.pdf", "");
    write(dir, "docs/good.pdf", makePdf({{"One short page of real text."}}));
    const ImportResult r = importDataset(store, {dir.filePath("docs").toStdString()}, {});
    QCOMPARE(r.dataset.rowCount, int64_t(1));
    QCOMPARE(r.badRowCount, int64_t(3));
    std::set<std::string> files;
    for (const BadRow &b : r.badRows)
        files.insert(std::filesystem::path(b.file).filename().string() + ": " + b.reason.substr(0, 14));
    QCOMPARE(files, (std::set<std::string>{"broken.pdf: damaged or not", "empty.pdf: empty document",
                                           "scan.pdf: no text layer "}));
}

void TestPdfDocxImport::docxParagraphsTabsBreaksEntities()
{
    const std::string body =
        "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>"
        "<w:r><w:t>Dose</w:t></w:r><w:r><w:tab/><w:t xml:space=\"preserve\">500 mg </w:t></w:r>"
        "<w:r><w:t>&amp; more &lt;b&gt; &#x4E2D;&#25991;</w:t></w:r></w:p>"
        "<w:p/><w:p><w:r><w:t>line</w:t><w:br/><w:t>break</w:t></w:r>"
        "<w:del><w:r><w:delText>deleted</w:delText></w:r></w:del></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:p><mc:AlternateContent><mc:Choice><w:t>box</w:t></mc:Choice>"
        "<mc:Fallback><w:t>box copy</w:t></mc:Fallback></mc:AlternateContent></w:p>";
    QCOMPARE(docxXmlToText(wordXml(body)), std::string("Dose\t500 mg & more <b> 中文\n\nline\nbreak\n\ncell\n\nbox"));
}

void TestPdfDocxImport::docxFromZipStoredAndDeflated()
{
    QTemporaryDir dir;
    const std::string body = "<w:p><w:r><w:t>First paragraph.</w:t></w:r></w:p><w:p><w:r><w:t>第二段。</w:t></w:r></w:p>";
    const std::string deflated = write(dir, "a.docx", makeDocx(body, true));
    const std::string stored = write(dir, "b.docx", makeDocx(body, false));
    QCOMPARE(readDocxText(deflated), std::string("First paragraph.\n\n第二段。"));
    QCOMPARE(readDocxText(stored), readDocxText(deflated));
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    const ImportResult r = importDataset(store, {deflated}, {});
    QCOMPARE(r.encoding, std::string("docx"));
    const auto rows = store.rows(store.dataset("a").id, 0, 10);
    QCOMPARE(rows.size(), size_t(1));
    QCOMPARE(rows[0].messages.at(0).content, std::string("First paragraph.\n\n第二段。"));
}

void TestPdfDocxImport::zipBombsAndDamageAreRefused()
{
    QTemporaryDir dir;
    // 64 MiB of zeros deflate to ~64 KiB; the limit here is 1 MiB.
    const std::string zeros(size_t(64) << 20, '0');
    const std::string bomb = write(dir, "bomb.docx", makeZip({{"word/document.xml", zeros, true}}));
    try {
        readDocxText(bomb, uint64_t(1) << 20);
        QFAIL("read a zip bomb");
    } catch (const std::runtime_error &e) {
        QVERIFY2(contains(e.what(), "over the limit") && contains(e.what(), "zip bomb"), e.what());
    }
    // The same bomb lying about its size is stopped while inflating.
    const std::string liar = write(dir, "liar.docx", makeZip({{"word/document.xml", zeros, true, 100}}));
    try {
        readDocxText(liar, uint64_t(1) << 20);
        QFAIL("read a lying zip bomb");
    } catch (const std::runtime_error &e) {
        QVERIFY2(contains(e.what(), "inflates past the limit"), e.what());
    }
    std::string corrupt = makeDocx("<w:p><w:r><w:t>Some text that will be damaged.</w:t></w:r></w:p>", false);
    corrupt[corrupt.find("Some text")] = 'X'; // the stored bytes no longer match the CRC
    const std::string crcPath = write(dir, "crc.docx", corrupt);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {write(dir, "notzip.docx", "just some text, not a zip"), "not a ZIP archive"},
        {write(dir, "noword.docx", makeZip({{"other.xml", "<x/>", true}})), "no word/document.xml"},
        {crcPath, "CRC"},
        {write(dir, "cut.docx", makeDocx("<w:p/>").substr(0, 60)), "not a ZIP archive"},
    };
    for (const auto &[path, reason] : cases) {
        try {
            readDocxText(path);
            QFAIL(("read " + path).c_str());
        } catch (const std::runtime_error &e) {
            QVERIFY2(contains(e.what(), reason), e.what());
        }
    }
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    try {
        importDataset(store, {crcPath}, {});
        QFAIL("imported a damaged docx");
    } catch (const std::exception &e) {
        QVERIFY2(contains(e.what(), crcPath) && contains(e.what(), "CRC"), e.what());
    }
}

void TestPdfDocxImport::folderMixesPdfDocxAndText()
{
    QTemporaryDir dir;
    QDir(dir.path()).mkpath("docs/sub");
    write(dir, "docs/a.pdf", makePdf({{"A PDF page."}, {"Its second page."}}));
    write(dir, "docs/sub/b.docx", makeDocx("<w:p><w:r><w:t>A Word file.</w:t></w:r></w:p>"));
    write(dir, "docs/c.txt", "A text file.\n");
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    std::vector<ImportProgress> progress;
    ImportOptions o;
    o.progress = [&](const ImportProgress &p) { progress.push_back(p); };
    const ImportResult r = importDataset(store, {dir.filePath("docs").toStdString()}, o);
    QCOMPARE(r.badRowCount, int64_t(0));
    const auto rows = store.rows(store.dataset("docs").id, 0, 10);
    QCOMPARE(rows.size(), size_t(3));
    QCOMPARE(rows[0].source, std::string("a.pdf"));
    QCOMPARE(rows[0].messages.at(0).content, std::string("A PDF page.\n\nIts second page."));
    QCOMPARE(rows[1].source, std::string("c.txt"));
    QCOMPARE(rows[2].source, std::string("sub/b.docx"));
    QCOMPARE(rows[2].messages.at(0).content, std::string("A Word file."));
    QVERIFY(progress.size() >= 3); // a report per file, then the last
    for (size_t i = 1; i < progress.size(); ++i)
        QVERIFY(progress[i].bytesDone >= progress[i - 1].bytesDone);
    QCOMPARE(progress.back().bytesDone, progress.back().bytesTotal);
}

void TestPdfDocxImport::textColumnsAndChineseFilesAreDocuments()
{
    QTemporaryDir dir;
    ProjectStore store(dir.filePath("p.ftproj").toStdString());
    // A CSV with a text column (and others) is a set of documents; so is a JSON list.
    const ImportResult csv = importDataset(
        store, {write(dir, "articles.csv", "title,text,year\nA,\"First article,\nwith two lines.\",2024\nB,Second.,2025\n")}, {});
    QCOMPARE(csv.dataset.format, std::string("text"));
    const auto rows = store.rows(store.dataset("articles").id, 0, 10);
    QCOMPARE(rows.size(), size_t(2));
    QCOMPARE(rows[0].messages.at(0).content, std::string("First article,\nwith two lines."));
    QCOMPARE(rows[0].original["title"].get<std::string>(), std::string("A"));
    // A Chinese document in GB18030, two paragraphs, as one document: "第一段。" "第二段。"
    ImportOptions one;
    one.textSplit = TextSplit::File;
    const ImportResult zh = importDataset(store, {write(dir, "zh.txt", "\xb5\xda\xd2\xbb\xb6\xce\xa1\xa3\n\n\xb5\xda\xb6\xfe\xb6\xce\xa1\xa3\n")}, one);
    QCOMPARE(zh.encoding, std::string("gb18030"));
    QCOMPARE(store.rows(store.dataset("zh").id, 0, 10).at(0).messages.at(0).content, std::string("第一段。\n\n第二段。"));
}

QTEST_GUILESS_MAIN(TestPdfDocxImport)
#include "tst_pdfdocximport.moc"
