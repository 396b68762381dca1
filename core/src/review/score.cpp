// The dataset's quality score, 0..100, that explains itself: 100 minus penalties, each from one
// factor with its value, its rule and its cap. Shares are of all rows (a row counts once per
// factor). Formula table: docs/quality-review.md.
#include "review/reviewcontext.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace ft::review {
namespace {

struct Factor
{
    const char *name;
    std::vector<std::string> kinds;  // rows with a warning or error of these kinds
    double perPercent;               // penalty per percent of rows
    double cap;
    const char *what;
};

std::string fmt(const char *f, double a, double b = 0, double c = 0)
{
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c);
    return buf;
}

} // namespace

void computeScore(ReviewContext &ctx)
{
    const double n = static_cast<double>(std::max<std::size_t>(1, ctx.rowCount));
    const std::vector<Factor> factors = {
        {"duplicates", {finding::ExactDuplicate, finding::NearDuplicate}, 1.0, 25, "rows are exact or near duplicates"},
        {"broken_rows", {finding::EmptyField, finding::MalformedTurns}, 2.0, 20, "rows have empty fields or malformed turns"},
        {"split_leakage", {finding::SplitLeakage}, 2.0, 10, "rows leak across splits"},
        {"truncation", {finding::Truncated}, 0.5, 10, "rows exceed the cutoff length"},
        {"personal_data", {finding::PersonalData}, 1.0, 10, "rows contain personal data"},
        {"encoding", {finding::Mojibake, finding::ControlCharacters}, 1.0, 10, "rows have mojibake or control characters"},
        {"repeated_prompts", {finding::RepeatsPrompt}, 0.5, 5, "responses repeat their prompt"},
        {"length_outliers", {finding::TooShort, finding::TooLong}, 0.5, 5, "rows are length outliers"},
    };
    nlohmann::json list = nlohmann::json::array();
    double total = 0;
    for (const Factor &f : factors) {
        std::set<int64_t> rows;
        for (const ReviewFinding &x : ctx.findings)
            if (x.severity != Severity::Info && std::find(f.kinds.begin(), f.kinds.end(), x.kind) != f.kinds.end())
                rows.insert(x.rowId);
        const double percent = 100.0 * static_cast<double>(rows.size()) / n;
        const double penalty = std::min(f.cap, f.perPercent * percent);
        total += penalty;
        list.push_back({{"factor", f.name}, {"value", percent}, {"penalty", penalty}, {"max_penalty", f.cap},
                        {"explanation", fmt("%.1f%% of ", percent) + f.what +
                                            fmt(": -%.1f (%.1f per percent, at most %.0f)", penalty, f.perPercent, f.cap)}});
    }
    // Diversity: responses' distinct-2 under 0.5, and the most common opening over 10 % of prompts.
    const auto &div = ctx.report["diversity"];
    const double d2 = div["responses"]["distinct_2"].get<double>();
    const double d2Penalty = ctx.rowCount == 0 ? 0.0 : std::min(10.0, std::max(0.0, (0.5 - d2) / 0.5 * 10.0));
    list.push_back({{"factor", "response_diversity"}, {"value", d2}, {"penalty", d2Penalty}, {"max_penalty", 10},
                    {"explanation", fmt("responses' distinct-2 is %.2f: -%.1f (10 * (0.5 - d) / 0.5 when under 0.5, at most 10)",
                                        d2, d2Penalty)}});
    total += d2Penalty;
    const double top = div["top_opening_share"].get<double>();
    const double openPenalty = std::min(5.0, std::max(0.0, (top - 0.1) * 20.0));
    list.push_back({{"factor", "repetitive_openings"}, {"value", top}, {"penalty", openPenalty}, {"max_penalty", 5},
                    {"explanation", fmt("the most common prompt opening starts %.1f%% of prompts: -%.1f (20 * (share - 0.1) "
                                        "when over 10%%, at most 5)", top * 100.0, openPenalty)}});
    total += openPenalty;
    const double score = std::max(0.0, 100.0 - total);
    std::stable_sort(list.begin(), list.end(), [](const nlohmann::json &a, const nlohmann::json &b) {
        return a["penalty"].get<double>() > b["penalty"].get<double>();
    });
    ctx.report["score"] = {{"value", std::round(score * 10.0) / 10.0},
                           {"formula", "100 - sum of the factors' penalties (floored at 0)"},
                           {"factors", list}};
}

} // namespace ft::review
