#include "reportpdf.h"

#include <ft/error.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTextDocument>
#include <QUrl>

#include <cstdio>

namespace ftreport {

ChartImages chartsAsImages(const QString &html, double scale)
{
    static const QRegularExpression svgBlock(QStringLiteral("<svg\\b[^>]*>.*?</svg>"),
                                             QRegularExpression::DotMatchesEverythingOption);
    ChartImages out;
    qsizetype from = 0;
    for (auto it = svgBlock.globalMatch(html); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        out.html += html.mid(from, m.capturedStart() - from);
        from = m.capturedEnd();
        QSvgRenderer renderer(m.captured().toUtf8());
        const QSize size = renderer.defaultSize();
        if (!renderer.isValid() || size.isEmpty())
            continue;
        QImage image(size * scale, QImage::Format_RGB32);
        image.fill(Qt::white);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer.render(&painter);
        }
        out.html += QStringLiteral("<p><img src=\"ftchart:%1\" width=\"%2\" height=\"%3\"></p>")
                        .arg(out.images.size())
                        .arg(size.width())
                        .arg(size.height());
        out.images.push_back(std::move(image));
    }
    out.html += html.mid(from);
    return out;
}

PdfReport writeReportPdf(const QString &html, const QString &path, const QString &title)
{
    if (!QFileInfo(path).absoluteDir().exists())
        ft::throwBadInput(QFile::encodeName(path).toStdString() + ": cannot write the report (no such folder)");
    const ChartImages charts = chartsAsImages(html);
    QTextDocument document;
    for (size_t i = 0; i < charts.images.size(); ++i)
        document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("ftchart:%1").arg(i)),
                             charts.images[i]);
    document.setHtml(charts.html);
    const QString tmp = path + QStringLiteral(".tmp");
    PdfReport report;
    {
        QPdfWriter writer(tmp);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setTitle(title);
        writer.setCreator(QStringLiteral("FineTune Studio"));
        document.print(&writer);
    }
    // The pages Qt's writer made (each page object says /Type /Page; the tree says /Pages).
    {
        QFile written(tmp);
        if (written.open(QIODevice::ReadOnly)) {
            static const QRegularExpression pageObject(QStringLiteral("/Type\\s*/Page\\b"));
            report.pages = int(QString::fromLatin1(written.readAll()).count(pageObject));
        }
    }
    report.charts = int(charts.images.size());
    if (report.pages == 0 || (QFile::exists(path) && !QFile::remove(path)) || !QFile::rename(tmp, path)) {
        QFile::remove(tmp);
        ft::throwBadInput(QFile::encodeName(path).toStdString() + ": cannot write the report");
    }
    return report;
}

namespace {

// A command's stderr says what the command did: Qt's own chatter (XDG_RUNTIME_DIR, fonts) stays
// out; critical and fatal messages still show.
void quietQtMessages(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtCriticalMsg || type == QtFatalMsg)
        std::fprintf(stderr, "%s\n", message.toLocal8Bit().constData());
}

} // namespace

std::unique_ptr<QGuiApplication> ensureGuiApplication()
{
    if (QCoreApplication::instance())
        return nullptr;
    qInstallMessageHandler(quietQtMessages);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "finetune-cli";
    static char *argv[] = {name, nullptr};
    return std::make_unique<QGuiApplication>(argc, argv);
}

} // namespace ftreport
