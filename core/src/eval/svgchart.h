// Small inline SVG charts for the HTML report: a line chart (loss curves) and grouped bars
// (base against tuned per category). Self-contained markup, no scripts.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ft {

struct SvgSeries
{
    std::string name;
    std::string color;  // CSS colour
    std::vector<std::pair<double, double>> points;  // (x, y)
};

std::string svgLineChart(const std::vector<SvgSeries> &series, const std::string &xLabel,
                         const std::string &yLabel);

struct SvgBarGroup
{
    std::string label;
    std::vector<double> values;  // one per series, 0..1
};

std::string svgBarChart(const std::vector<SvgBarGroup> &groups, const std::vector<std::string> &seriesNames,
                        const std::vector<std::string> &colors);

// &, <, >, " escaped.
std::string htmlEscape(const std::string &text);

} // namespace ft
