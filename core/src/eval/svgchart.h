// Small inline SVG charts for the HTML report: a line chart (loss curves) and grouped bars
// (base against tuned per category), horizontal difference bars with interval whiskers (metric
// deltas per run). Self-contained markup, no scripts.
#pragma once

#include <optional>
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

struct SvgDelta
{
    double estimate = 0, low = 0, high = 0;
};

struct SvgDeltaRow
{
    std::string label;
    std::vector<std::optional<SvgDelta>> values;  // one per series; nullopt: no bar
};

// One band per row, one horizontal bar per series from 0 to the estimate, a whisker low..high;
// the axis symmetric around 0, labelled `axisLabel`. "" when there are no rows.
std::string svgDeltaChart(const std::vector<SvgDeltaRow> &rows, const std::vector<std::string> &seriesNames,
                          const std::vector<std::string> &colors, const std::string &axisLabel);

// &, <, >, " escaped.
std::string htmlEscape(const std::string &text);

} // namespace ft
