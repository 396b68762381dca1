// Very short / very long rows. Rule (robust to the outliers themselves): on x = ln(1 + code
// points), the modified z-score 0.6745 * (x - median) / MAD (Iglewicz & Hoaglin); |z| > outlierZ
// (3.5) is an outlier. Responses are checked both ways, prompts for being too long. When the MAD
// is 0 the mean absolute deviation * 1.2533 stands in; with fewer than outlierMinRows rows there
// is no rule.
#include "review/reviewcontext.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ft::review {
namespace {

double median(std::vector<double> v)
{
    if (v.empty())
        return 0.0;
    const std::size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    double m = v[mid];
    if (v.size() % 2 == 0) {
        m = (m + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid))) / 2.0;
    }
    return m;
}

struct Robust
{
    double median = 0, scale = 0;  // scale: MAD (or its stand-in); 0 = no rule
};

Robust robust(const std::vector<double> &x)
{
    Robust r;
    r.median = median(x);
    std::vector<double> dev(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        dev[i] = std::fabs(x[i] - r.median);
    r.scale = median(dev);
    if (r.scale == 0.0 && !dev.empty()) {
        double mean = 0;
        for (double d : dev)
            mean += d;
        r.scale = 1.2533 * mean / static_cast<double>(dev.size());
    }
    return r;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    const double pos = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

nlohmann::json summary(const std::vector<double> &chars)
{
    return {{"p5", percentile(chars, 0.05)}, {"p25", percentile(chars, 0.25)}, {"median", percentile(chars, 0.5)},
            {"p75", percentile(chars, 0.75)}, {"p95", percentile(chars, 0.95)},
            {"max", chars.empty() ? 0.0 : *std::max_element(chars.begin(), chars.end())}};
}

} // namespace

void checkLengthOutliers(ReviewContext &ctx)
{
    const std::size_t n = ctx.rowCount;
    const double zLimit = ctx.options.outlierZ;
    std::vector<double> respChars(n), promptChars(n), respLog(n), promptLog(n);
    for (std::size_t i = 0; i < n; ++i) {
        respChars[i] = static_cast<double>(static_cast<std::size_t>(ctx.facts[i].responseChars));
        promptChars[i] = static_cast<double>(static_cast<std::size_t>(ctx.facts[i].promptChars));
        respLog[i] = std::log1p(respChars[i]);
        promptLog[i] = std::log1p(promptChars[i]);
    }
    nlohmann::json rep = {{"response_chars", summary(respChars)}, {"prompt_chars", summary(promptChars)},
                          {"rule", "modified z-score on ln(1 + characters): |0.6745 * (x - median) / MAD| > " +
                                       std::to_string(zLimit)}};
    if (static_cast<int>(n) < ctx.options.outlierMinRows) {
        rep["applied"] = false;
        rep["why_not"] = "fewer than " + std::to_string(ctx.options.outlierMinRows) + " rows";
        ctx.report["length_outliers"] = rep;
        return;
    }
    const Robust resp = robust(respLog), prompt = robust(promptLog);
    // The thresholds in characters, for people.
    auto bound = [&](const Robust &r, double sign) {
        return r.scale > 0 ? std::expm1(r.median + sign * zLimit * r.scale / 0.6745) : 0.0;
    };
    rep["applied"] = true;
    rep["response_short_below_chars"] = bound(resp, -1);
    rep["response_long_above_chars"] = bound(resp, +1);
    rep["prompt_long_above_chars"] = bound(prompt, +1);
    int64_t shortRows = 0, longRows = 0;
    char text[200];
    for (std::size_t i = 0; i < n; ++i) {
        if (resp.scale > 0 && static_cast<std::size_t>(ctx.facts[i].responseChars) > 0) {
            const double z = 0.6745 * (respLog[i] - resp.median) / resp.scale;
            if (z < -zLimit || z > zLimit) {
                const bool isShort = z < 0;
                std::snprintf(text, sizeof text,
                              "Response of %zu characters is unusually %s for this dataset (median %.0f; robust z %.1f, "
                              "limit %.1f)",
                              static_cast<std::size_t>(ctx.facts[i].responseChars), isShort ? "short" : "long", std::expm1(resp.median), z,
                              zLimit);
                ctx.add(i, isShort ? finding::TooShort : finding::TooLong, Severity::Warning, text,
                        {{"field", "response"}, {"chars", static_cast<std::size_t>(ctx.facts[i].responseChars)},
                         {"median_chars", std::expm1(resp.median)}, {"z", z}});
                (isShort ? shortRows : longRows) += 1;
            }
        }
        if (prompt.scale > 0) {
            const double z = 0.6745 * (promptLog[i] - prompt.median) / prompt.scale;
            if (z > zLimit) {
                std::snprintf(text, sizeof text,
                              "Prompt of %zu characters is unusually long for this dataset (median %.0f; robust z %.1f, "
                              "limit %.1f)",
                              static_cast<std::size_t>(ctx.facts[i].promptChars), std::expm1(prompt.median), z, zLimit);
                ctx.add(i, finding::TooLong, Severity::Warning, text,
                        {{"field", "prompt"}, {"chars", static_cast<std::size_t>(ctx.facts[i].promptChars)},
                         {"median_chars", std::expm1(prompt.median)}, {"z", z}});
                ++longRows;
            }
        }
    }
    rep["too_short"] = shortRows;
    rep["too_long"] = longRows;
    ctx.report["length_outliers"] = rep;
}

} // namespace ft::review
