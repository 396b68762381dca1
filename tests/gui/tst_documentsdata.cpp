// Documents on the Data page: the import dialog previews a folder holding a PDF (written here by
// Qt's QPdfWriter: three pages with a running header and page numbers) as text, drops of .pdf /
// .docx files are taken, and the review panel shows the document-level summary of a text
// dataset (documents, tokens, boilerplate, languages).
#include "datasetdrop.h"
#include "importdialog.h"
#include "reviewpanel.h"

#include <ft/dataimport.h>
#include <ft/project.h>
#include <ft/review.h>
#include <ft/reviewstore.h>

#include <QDir>
#include <QFile>
#include <QMimeData>
#include <QPainter>
#include <QPdfWriter>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

namespace {

// Three pages: a header, three body lines (a word hyphenated across two), a page number.
void writePdf(const QString &path)
{
    QPdfWriter pdf(path);
    pdf.setResolution(72);
    QPainter p(&pdf);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(11);
    p.setFont(font);
    for (int page = 1; page <= 3; ++page) {
        if (page > 1)
            pdf.newPage();
        p.drawText(40, 30, QStringLiteral("Ward Notes, Clinical Series"));
        static const char *const subjects[] = {"the nurses change the dressing of a wound",
                                               "the doctor checks the blood pressure of a patient",
                                               "the pharmacist prepares the doses of the morning"};
        p.drawText(40, 80, QStringLiteral("This page tells how %1 every").arg(QString::fromLatin1(subjects[page - 1])));
        static const char *const middles[] = {"day, and how they write down the treat-", "week, and the way the ward notes the treat-",
                                              "shift; then the nurse on duty signs the treat-"};
        static const char *const ends[] = {"ment in the chart at the end of the shift.", "ment given on the chart by the bed.",
                                           "ment sheet before the doctor comes round."};
        p.drawText(40, 95, QString::fromLatin1(middles[page - 1]));
        p.drawText(40, 110, QString::fromLatin1(ends[page - 1]));
        p.drawText(280, 760, QString::number(page));
    }
}

} // namespace

class TestDocumentsData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dialogPreviewsAFolderWithAPdf();
    void dropsTakeDocuments();
    void reviewPanelShowsTheDocumentSummary();
};

void TestDocumentsData::dialogPreviewsAFolderWithAPdf()
{
    QTemporaryDir dir;
    QDir(dir.path()).mkpath(QStringLiteral("notes"));
    writePdf(dir.filePath(QStringLiteral("notes/ward.pdf")));
    ftui::ImportDialog dialog({dir.filePath(QStringLiteral("notes"))});
    QVERIFY2(dialog.detectionText().contains(QLatin1String("text")), qPrintable(dialog.detectionText()));
    QVERIFY(dialog.findChild<QWidget *>(QStringLiteral("addFolderButton")));
    QCOMPARE(QString::fromStdString(dialog.options().name), QStringLiteral("notes"));

    ft::ProjectStore store(dir.filePath(QStringLiteral("p.ftproj")).toStdString());
    const ft::ImportResult r = ft::importDataset(store, {QFile::encodeName(dir.filePath(QStringLiteral("notes"))).toStdString()},
                                                 dialog.options());
    const auto rows = store.rows(r.dataset.id, 0, 10);
    QCOMPARE(rows.size(), size_t(1));
    const QString text = QString::fromStdString(rows[0].messages.at(0).content);
    QVERIFY2(!text.contains(QLatin1String("Ward Notes")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("write down the treatment in the chart")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("the pharmacist prepares")), qPrintable(text));
    QVERIFY2(!text.contains(QLatin1String("\n3")), qPrintable(text)); // the page numbers are gone
}

void TestDocumentsData::dropsTakeDocuments()
{
    QTemporaryDir dir;
    for (const char *name : {"a.pdf", "b.docx", "c.html"}) {
        QFile f(dir.filePath(QString::fromLatin1(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(dir.filePath(QStringLiteral("a.pdf"))),
                  QUrl::fromLocalFile(dir.filePath(QStringLiteral("b.docx"))),
                  QUrl::fromLocalFile(dir.filePath(QStringLiteral("c.html")))});
    QCOMPARE(ftui::datasetPathsFromMimeData(&mime).size(), 3);
}

void TestDocumentsData::reviewPanelShowsTheDocumentSummary()
{
    std::vector<ft::ReviewRow> rows;
    const std::vector<std::string> texts = {
        "The nurse changed the dressing of the wound in the morning.\nCopyright Clinic",
        "The doctor read the chart and asked for a new test of the blood.\nCopyright Clinic",
        "患者术后第三天，伤口愈合良好，无发热。\nCopyright Clinic",
    };
    for (size_t i = 0; i < texts.size(); ++i) {
        ft::ReviewRow r;
        r.rowId = int64_t(i + 1);
        r.messages = {{"text", texts[i]}};
        r.plainText = true;
        rows.push_back(r);
    }
    const ft::ReviewResult result = ft::reviewDataset(rows, {});
    ftui::ReviewPanel panel;
    panel.setReport(result.report);
    const QString summary = panel.documentSummaryText();
    QVERIFY2(summary.contains(QLatin1String("3 documents")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("Copyright Clinic")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("English 2")) && summary.contains(QLatin1String("Chinese 1")),
             qPrintable(summary));
    // A chat dataset: no summary.
    ft::ReviewRow qa;
    qa.rowId = 1;
    qa.messages = {{"user", "Hi?"}, {"assistant", "Hello."}};
    panel.setReport(ft::reviewDataset({qa}, {}).report);
    QVERIFY(panel.documentSummaryText().isEmpty());
}

QTEST_MAIN(TestDocumentsData)
#include "tst_documentsdata.moc"
