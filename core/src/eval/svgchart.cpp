#include "eval/svgchart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ft {
namespace {

constexpr double kWidth = 640, kHeight = 260, kLeft = 56, kRight = 16, kTop = 16, kBottom = 48;

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string tick(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

std::string open(const std::string &title)
{
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" + num(kHeight) +
           "\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) + "\" role=\"img\" aria-label=\"" +
           htmlEscape(title) + "\" font-family=\"sans-serif\" font-size=\"11\">";
}

} // namespace

std::string htmlEscape(const std::string &text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string svgLineChart(const std::vector<SvgSeries> &series, const std::string &xLabel, const std::string &yLabel)
{
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (const SvgSeries &s : series)
        for (const auto &[x, y] : s.points) {
            if (!std::isfinite(x) || !std::isfinite(y))
                continue;
            x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        }
    if (!(x0 <= x1))
        return "";
    if (x1 == x0)
        x1 = x0 + 1;
    if (y1 == y0)
        y1 = y0 + 1;
    y0 = std::min(y0, 0.0);
    const double w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
    auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * w; };
    auto py = [&](double y) { return kTop + h - (y - y0) / (y1 - y0) * h; };
    std::string svg = open(yLabel + " by " + xLabel);
    svg += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
           "\" fill=\"none\" stroke=\"#999\"/>";
    for (int i = 0; i <= 4; ++i) {
        const double y = y0 + (y1 - y0) * i / 4;
        svg += "<text x=\"" + num(kLeft - 4) + "\" y=\"" + num(py(y) + 4) + "\" text-anchor=\"end\">" + tick(y) + "</text>";
        const double x = x0 + (x1 - x0) * i / 4;
        svg += "<text x=\"" + num(px(x)) + "\" y=\"" + num(kTop + h + 14) + "\" text-anchor=\"middle\">" + tick(x) +
               "</text>";
    }
    svg += "<text x=\"" + num(kLeft + w / 2) + "\" y=\"" + num(kHeight - 18) + "\" text-anchor=\"middle\">" +
           htmlEscape(xLabel) + "</text>";
    svg += "<text x=\"12\" y=\"" + num(kTop + h / 2) + "\" transform=\"rotate(-90 12 " + num(kTop + h / 2) +
           ")\" text-anchor=\"middle\">" + htmlEscape(yLabel) + "</text>";
    double legendX = kLeft;
    for (const SvgSeries &s : series) {
        std::string points;
        for (const auto &[x, y] : s.points)
            if (std::isfinite(x) && std::isfinite(y))
                points += num(px(x)) + "," + num(py(y)) + " ";
        svg += "<polyline fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"1.5\" points=\"" + points + "\"/>";
        svg += "<rect x=\"" + num(legendX) + "\" y=\"" + num(kHeight - 10) + "\" width=\"10\" height=\"3\" fill=\"" +
               s.color + "\"/><text x=\"" + num(legendX + 14) + "\" y=\"" + num(kHeight - 6) + "\">" +
               htmlEscape(s.name) + "</text>";
        legendX += 24 + 7 * double(s.name.size());
    }
    return svg + "</svg>";
}

std::string svgBarChart(const std::vector<SvgBarGroup> &groups, const std::vector<std::string> &seriesNames,
                        const std::vector<std::string> &colors)
{
    if (groups.empty())
        return "";
    const double w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
    const double slot = w / double(groups.size());
    const double bar = slot * 0.8 / double(std::max<size_t>(1, seriesNames.size()));
    std::string svg = open("accuracy per category");
    for (int i = 0; i <= 4; ++i) {
        const double y = kTop + h - h * i / 4;
        svg += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + w) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) +
               "\" stroke=\"#ddd\"/><text x=\"" + num(kLeft - 4) + "\" y=\"" + num(y + 4) +
               "\" text-anchor=\"end\">" + std::to_string(25 * i) + "%</text>";
    }
    for (size_t g = 0; g < groups.size(); ++g) {
        const double left = kLeft + slot * double(g) + slot * 0.1;
        for (size_t s = 0; s < groups[g].values.size() && s < colors.size(); ++s) {
            const double v = std::clamp(groups[g].values[s], 0.0, 1.0);
            svg += "<rect x=\"" + num(left + bar * double(s)) + "\" y=\"" + num(kTop + h - v * h) + "\" width=\"" +
                   num(bar * 0.95) + "\" height=\"" + num(v * h) + "\" fill=\"" + colors[s] + "\"><title>" +
                   htmlEscape(groups[g].label + " " + seriesNames[s]) + " " + num(100 * v) + "%</title></rect>";
        }
        svg += "<text x=\"" + num(left + slot * 0.4) + "\" y=\"" + num(kTop + h + 14) + "\" text-anchor=\"middle\">" +
               htmlEscape(groups[g].label) + "</text>";
    }
    double legendX = kLeft;
    for (size_t s = 0; s < seriesNames.size() && s < colors.size(); ++s) {
        svg += "<rect x=\"" + num(legendX) + "\" y=\"" + num(kHeight - 14) + "\" width=\"10\" height=\"10\" fill=\"" +
               colors[s] + "\"/><text x=\"" + num(legendX + 14) + "\" y=\"" + num(kHeight - 5) + "\">" +
               htmlEscape(seriesNames[s]) + "</text>";
        legendX += 24 + 7 * double(seriesNames[s].size());
    }
    return svg + "</svg>";
}

std::string svgDeltaChart(const std::vector<SvgDeltaRow> &rows, const std::vector<std::string> &seriesNames,
                          const std::vector<std::string> &colors, const std::string &axisLabel)
{
    if (rows.empty())
        return "";
    double extent = 0;
    for (const SvgDeltaRow &r : rows)
        for (const auto &v : r.values)
            if (v)
                for (double x : {v->estimate, v->low, v->high})
                    if (std::isfinite(x))
                        extent = std::max(extent, std::abs(x));
    extent = extent > 0 ? extent * 1.1 : 1;
    const double left = 150, right = 16, top = 12, bottom = 48;
    const double band = 10 + 12 * double(std::max<size_t>(1, seriesNames.size()));
    const double w = kWidth - left - right, h = band * double(rows.size());
    const double height = top + h + bottom;
    auto px = [&](double x) { return left + (x + extent) / (2 * extent) * w; };
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" +
                      num(height) + "\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) +
                      "\" role=\"img\" aria-label=\"metric deltas\" font-family=\"sans-serif\" font-size=\"11\">";
    for (int i = 0; i <= 4; ++i) {
        const double x = -extent + 2 * extent * i / 4;
        svg += "<line x1=\"" + num(px(x)) + "\" x2=\"" + num(px(x)) + "\" y1=\"" + num(top) + "\" y2=\"" +
               num(top + h) + "\" stroke=\"" + (i == 2 ? "#666" : "#ddd") + "\"/><text x=\"" + num(px(x)) +
               "\" y=\"" + num(top + h + 14) + "\" text-anchor=\"middle\">" + tick(std::abs(x) < 1e-12 ? 0 : x) +
               "</text>";
    }
    svg += "<text x=\"" + num(left + w / 2) + "\" y=\"" + num(top + h + 28) + "\" text-anchor=\"middle\">" +
           htmlEscape(axisLabel) + "</text>";
    for (size_t r = 0; r < rows.size(); ++r) {
        const double y0 = top + band * double(r);
        svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y0 + band / 2 + 4) + "\" text-anchor=\"end\">" +
               htmlEscape(rows[r].label) + "</text>";
        for (size_t s = 0; s < rows[r].values.size() && s < colors.size(); ++s) {
            const auto &v = rows[r].values[s];
            if (!v || !std::isfinite(v->estimate))
                continue;
            const double y = y0 + 5 + 12 * double(s);
            const double a = px(std::min(0.0, v->estimate)), b = px(std::max(0.0, v->estimate));
            svg += "<rect x=\"" + num(a) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(b - a, 1.0)) +
                   "\" height=\"9\" fill=\"" + colors[s] + "\"><title>" +
                   htmlEscape(rows[r].label + " " + seriesNames[s]) + " " + num(v->estimate) + " [" + num(v->low) +
                   ", " + num(v->high) + "]</title></rect>";
            if (std::isfinite(v->low) && std::isfinite(v->high))
                svg += "<path d=\"M" + num(px(v->low)) + " " + num(y + 4.5) + "H" + num(px(v->high)) + "M" +
                       num(px(v->low)) + " " + num(y + 1) + "V" + num(y + 8) + "M" + num(px(v->high)) + " " +
                       num(y + 1) + "V" + num(y + 8) + "\" stroke=\"#222\" fill=\"none\"/>";
        }
    }
    double legendX = left;
    for (size_t s = 0; s < seriesNames.size() && s < colors.size(); ++s) {
        svg += "<rect x=\"" + num(legendX) + "\" y=\"" + num(height - 14) + "\" width=\"10\" height=\"10\" fill=\"" +
               colors[s] + "\"/><text x=\"" + num(legendX + 14) + "\" y=\"" + num(height - 5) + "\">" +
               htmlEscape(seriesNames[s]) + "</text>";
        legendX += 24 + 7 * double(seriesNames[s].size());
    }
    return svg + "</svg>";
}

} // namespace ft
