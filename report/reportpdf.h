// The evaluation report (core's self-contained HTML, ft/evalreport.h) as a PDF: Qt's rich text
// and PDF writer. QTextDocument shows no inline <svg>, so each chart is rendered by QSvgRenderer
// into an image the document references by a resource name (ftchart:N) in its place.
// Needs a QGuiApplication (fonts): a process without one calls ensureGuiApplication() first.
#pragma once

#include <QImage>
#include <QString>

#include <memory>
#include <vector>

class QGuiApplication;

namespace ftreport {

struct ChartImages
{
    QString html;                // <svg>…</svg> replaced by <img src="ftchart:N" width height>
    std::vector<QImage> images;  // N = index; rendered at `scale` times the SVG's size
};

// The charts of `html` as images (a chart QSvgRenderer cannot read is left out).
ChartImages chartsAsImages(const QString &html, double scale = 3.0);

struct PdfReport
{
    int pages = 0;
    int charts = 0;
};

// Writes the report as an A4 PDF to `path`; BadInput (ft::Error) naming the file when it cannot
// be written.
PdfReport writeReportPdf(const QString &html, const QString &path, const QString &title);

// A QGuiApplication for a headless process that has none (the offscreen platform unless
// QT_QPA_PLATFORM is set; Qt's warnings kept off stderr); nullptr when the process already has
// an application object.
std::unique_ptr<QGuiApplication> ensureGuiApplication();

} // namespace ftreport
