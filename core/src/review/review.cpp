// reviewDataset: prepares the rows once, runs each check (one file per kind), then the
// diversity figures and the score.
#include "ft/review.h"

#include "ft/error.h"
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <utility>

namespace ft {

const char *severityName(Severity s)
{
    switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
    }
    return "warning";
}

const std::vector<std::string> &findingKinds()
{
    static const std::vector<std::string> kinds = {
        finding::ExactDuplicate, finding::NearDuplicate, finding::SplitLeakage,
        finding::EmptyField, finding::MalformedTurns, finding::TooShort, finding::TooLong,
        finding::Truncated, finding::RepeatsPrompt, finding::Mojibake,
        finding::ControlCharacters, finding::ScriptMix, finding::PersonalData};
    return kinds;
}

namespace review {

void ReviewContext::add(std::size_t rowIndex, const char *kind, Severity severity, std::string message,
                        nlohmann::json detail)
{
    findings.push_back({rows[rowIndex].rowId, kind, severity, std::move(message), std::move(detail)});
}

void ReviewContext::checkCancel() const
{
    if (options.cancel && options.cancel->load(std::memory_order_relaxed))
        throw Error(ErrorKind::Cancelled, "review cancelled");
}

namespace {

void validate(const ReviewOptions &o)
{
    if (!(o.nearDuplicateThreshold > 0.0 && o.nearDuplicateThreshold <= 1.0)) {
        char text[96];
        std::snprintf(text, sizeof text, "review: threshold must be in (0, 1], got %g", o.nearDuplicateThreshold);
        throwBadInput(text);
    }
    if (o.shingleSize < 1 || o.shingleSize > 64)
        throwBadInput("review: shingle size must be 1..64, got " + std::to_string(o.shingleSize));
    if (o.numPermutations < 8 || o.numPermutations > 1024)
        throwBadInput("review: permutations must be 8..1024, got " + std::to_string(o.numPermutations));
    if (o.bands < 0 || (o.bands > 0 && o.numPermutations % o.bands != 0))
        throwBadInput("review: bands (" + std::to_string(o.bands) + ") must divide the permutations (" +
                      std::to_string(o.numPermutations) + ")");
    if (o.cutoffLen < 1)
        throwBadInput("review: cutoff length must be at least 1, got " + std::to_string(o.cutoffLen));
    if (!(o.outlierZ > 0.0))
        throwBadInput("review: outlier z must be positive");
}

void prepare(ReviewContext &ctx)
{
    const auto n = static_cast<int64_t>(ctx.rows.size());
    ctx.prepared.resize(ctx.rows.size());
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t k = 0; k < n; ++k) {
        PreparedRow &p = ctx.prepared[static_cast<std::size_t>(k)];
        p.row = &ctx.rows[static_cast<std::size_t>(k)];
        std::string ordered;
        bool firstUser = true, firstAssistant = true;
        for (const ChatMessage &m : p.row->messages) {
            const bool assistant = m.role == "assistant" || p.row->plainText;
            if (!assistant && m.role != "user")
                continue;  // system and other roles: not part of the matching text
            const std::string norm = normaliseForMatching(m.content);
            std::string &side = assistant ? p.response : p.prompt;
            bool &first = assistant ? firstAssistant : firstUser;
            if (!first)
                side += '\n';
            first = false;
            side += norm;
            ordered += assistant ? '\x1e' : '\x1f';
            ordered += norm;
            (assistant ? p.responseChars : p.promptChars) += countCodePoints(m.content);
            p.hasText = p.hasText || !norm.empty();
        }
        p.key = {hash64(ordered, 1), hash64(ordered, 2)};
    }
}

} // namespace
} // namespace review

ReviewResult reviewDataset(const std::vector<ReviewRow> &rows, const ReviewOptions &options)
{
    review::validate(options);
    review::ReviewContext ctx{rows, options, {}, {}, nlohmann::json::object(), {}, {}, {}};
    using Check = std::pair<const char *, std::function<void(review::ReviewContext &)>>;
    const std::vector<Check> stages = {
        {"prepare", review::prepare},
        {"exact duplicates", review::checkExactDuplicates},
        {"near duplicates", review::checkNearDuplicates},
        {"split leakage", review::checkSplitLeakage},
        {"empty fields", review::checkEmptyFields},
        {"turns", review::checkTurns},
        {"length outliers", review::checkLengthOutliers},
        {"token lengths", review::checkTokenLengths},
        {"repeated prompts", review::checkRepeatsPrompt},
        {"encoding", review::checkEncoding},
        {"script mix", review::checkScriptMix},
        {"personal data", review::checkPersonalData},
        {"diversity", review::computeDiversity},
        {"documents", review::summariseDocuments},
    };
    nlohmann::json timings = nlohmann::json::object();
    for (std::size_t s = 0; s < stages.size(); ++s) {
        if (options.progress)
            options.progress(static_cast<double>(s) / static_cast<double>(stages.size() + 1), stages[s].first);
        ctx.checkCancel();
        const auto t0 = std::chrono::steady_clock::now();
        stages[s].second(ctx);
        timings[stages[s].first] =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }

    std::stable_sort(ctx.findings.begin(), ctx.findings.end(), [](const ReviewFinding &a, const ReviewFinding &b) {
        return a.rowId != b.rowId ? a.rowId < b.rowId : a.kind < b.kind;
    });
    // Counts per kind: findings and distinct rows.
    nlohmann::json counts = nlohmann::json::object();
    for (const std::string &kind : findingKinds())
        counts[kind] = {{"findings", 0}, {"rows", 0}};
    int64_t lastRow = 0;
    std::string lastKind;
    std::vector<int64_t> flaggedRows;
    for (const ReviewFinding &f : ctx.findings) {
        auto &c = counts[f.kind];
        c["findings"] = c["findings"].get<int64_t>() + 1;
        if (f.rowId != lastRow || f.kind != lastKind || &f == &ctx.findings.front())
            c["rows"] = c["rows"].get<int64_t>() + 1;
        lastRow = f.rowId;
        lastKind = f.kind;
        if (f.severity != Severity::Info && (flaggedRows.empty() || flaggedRows.back() != f.rowId))
            flaggedRows.push_back(f.rowId);
    }
    ctx.report["rows"] = rows.size();
    ctx.report["counts"] = counts;
    ctx.report["rows_with_warnings_or_errors"] = flaggedRows.size();
    review::computeScore(ctx);
    ctx.report["timings_s"] = timings;
    ctx.report["options"] = {{"threshold", options.nearDuplicateThreshold},
                             {"shingles", options.wordShingles ? "words" : "characters"},
                             {"shingle_size", options.shingleSize},
                             {"permutations", options.numPermutations},
                             {"cutoff_len", options.cutoffLen},
                             {"outlier_z", options.outlierZ},
                             {"template", options.tokenizer ? options.templateName : ""}};
    if (options.progress)
        options.progress(1.0, "done");
    return {std::move(ctx.findings), std::move(ctx.report), std::move(ctx.tokenCounts)};
}

} // namespace ft
