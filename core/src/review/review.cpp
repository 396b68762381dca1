// reviewDataset: one pass over the rows a chunk at a time (each row normalised once, the per-row
// checks run and the streaming checks fed), then the checks over the whole dataset's facts, the
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
#include <future>
#include <map>
#include <memory>
#include <unordered_map>
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

void ChunkContext::add(std::size_t rowIndex, const char *kind, Severity severity, std::string message,
                       nlohmann::json detail)
{
    findings.push_back({rows[rowIndex].rowId, kind, severity, std::move(message), std::move(detail)});
}

void ChunkContext::checkCancel() const
{
    if (options.cancel && options.cancel->load(std::memory_order_relaxed))
        throw Error(ErrorKind::Cancelled, "review cancelled");
}

void ReviewContext::add(std::size_t rowIndex, const char *kind, Severity severity, std::string message,
                        nlohmann::json detail)
{
    findings.push_back({rowIds[rowIndex], kind, severity, std::move(message), std::move(detail)});
}

void ReviewContext::checkCancel() const
{
    if (options.cancel && options.cancel->load(std::memory_order_relaxed))
        throw Error(ErrorKind::Cancelled, "review cancelled");
}

PreparedRow prepareRow(const ReviewRow &row)
{
    PreparedRow p;
    p.row = &row;
    std::string ordered;
    bool firstUser = true, firstAssistant = true;
    for (const ChatMessage &m : row.messages) {
        const bool assistant = m.role == "assistant" || row.plainText;
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
    p.key = hash64Pair(ordered, 1, 2);
    return p;
}

void splitPreparedWords(PreparedRow &row)
{
    row.promptWords = splitWords(row.prompt);
    row.responseWords = splitWords(row.response);
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

// Adds a chunk's counts into the dataset's report: numbers summed, objects merged key by key.
void mergeCounts(nlohmann::json &into, const nlohmann::json &from)
{
    for (auto it = from.begin(); it != from.end(); ++it) {
        if (!into.contains(it.key())) {
            into[it.key()] = it.value();
        } else if (it->is_object()) {
            mergeCounts(into[it.key()], *it);
        } else if (it->is_number_integer()) {
            into[it.key()] = into[it.key()].get<int64_t>() + it->get<int64_t>();
        }
    }
}

using RowCheck = void (*)(ChunkContext &);
constexpr RowCheck kRowChecks[] = {checkEmptyFields, checkTurns, checkRepeatsPrompt, checkEncoding,
                                   checkPersonalData};

struct KeyHash
{
    std::size_t operator()(const std::pair<uint64_t, uint64_t> &k) const { return k.first ^ (k.second << 1); }
};

class VectorRows : public ReviewRowSource
{
public:
    explicit VectorRows(const std::vector<ReviewRow> &rows) : m_rows(rows) {}
    std::size_t size() const override { return m_rows.size(); }
    void read(std::size_t begin, std::size_t count, std::vector<ReviewRow> &out) const override
    {
        const auto first = m_rows.begin() + static_cast<std::ptrdiff_t>(begin);
        out.assign(first, first + static_cast<std::ptrdiff_t>(count));
    }
    ReviewRow at(std::size_t index) const override { return m_rows.at(index); }

private:
    const std::vector<ReviewRow> &m_rows;
};

} // namespace
} // namespace review

ReviewResult reviewDataset(const std::vector<ReviewRow> &rows, const ReviewOptions &options)
{
    return reviewDataset(review::VectorRows(rows), options);
}

ReviewResult reviewDataset(const ReviewRowSource &source, const ReviewOptions &options)
{
    using namespace review;
    validate(options);
    ReviewContext ctx{source, options};
    const std::size_t n = source.size();
    ctx.rowCount = n;
    ctx.rowIds.resize(n);
    ctx.facts.resize(n);
    ctx.splitOf.resize(n);
    ctx.exactGroup.resize(n);
    ctx.tokenCounts.resize(n);

    nlohmann::json timings = nlohmann::json::object();
    auto timed = [&](const char *name, const std::function<void()> &stage) {
        const auto t0 = std::chrono::steady_clock::now();
        stage();
        timings[name] = timings.value(name, 0.0) +
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    std::vector<std::pair<const char *, std::unique_ptr<StreamingCheck>>> streaming;
    streaming.emplace_back("near duplicates", nearDuplicateCheck(options));
    streaming.emplace_back("token lengths", tokenLengthCheck(options));
    streaming.emplace_back("script mix", scriptMixCheck());
    streaming.emplace_back("diversity", diversityFigures(n));
    streaming.emplace_back("documents", documentSummary());

    // Every per-row check runs once on no rows, so the report has its counts even for an empty
    // dataset; the chunks' counts are added to these.
    {
        const std::vector<ReviewRow> none;
        ChunkContext empty{none, options};
        for (RowCheck check : kRowChecks)
            check(empty);
        ctx.report = std::move(empty.report);
    }

    // The one pass over the rows: each chunk is read, normalised once, checked row by row and fed
    // to the streaming checks, then dropped.
    constexpr std::size_t kChunk = 8192;
    constexpr double kPassShare = 0.85;  // of the progress bar
    std::unordered_map<std::pair<uint64_t, uint64_t>, int, KeyHash> firstOf;  // exact groups
    std::unordered_map<std::string, uint16_t> splitIds{{std::string(), 0}};
    // The next chunk is read on a second thread while this one is checked: reading (SQLite and a
    // JSON parse per row) is serial, and the checks leave a core free between their parallel parts.
    std::vector<ReviewRow> rows, next;
    std::future<void> reading;
    auto readAhead = [&](std::size_t begin) {
        if (begin < n)
            reading = std::async(std::launch::async, [&source, &next, begin, count = std::min(kChunk, n - begin)] {
                source.read(begin, count, next);
            });
    };
    readAhead(0);
    for (std::size_t begin = 0; begin < n; begin += kChunk) {
        if (options.progress)
            options.progress(kPassShare * static_cast<double>(begin) / static_cast<double>(n), "reading rows");
        const std::size_t count = std::min(kChunk, n - begin);
        timed("read", [&] { reading.get(); });  // rethrows the reader's error
        rows.swap(next);
        readAhead(begin + kChunk);
        ctx.checkCancel();
        if (rows.size() != count)
            throw Error(ErrorKind::Internal, "review: the rows changed while they were read");
        ChunkContext chunk{rows, options, begin};
        timed("prepare", [&] {
            chunk.prepared.resize(count);
            const auto c = static_cast<int64_t>(count);
#pragma omp parallel for schedule(dynamic, 256)
            for (int64_t k = 0; k < c; ++k) {
                PreparedRow &p = chunk.prepared[static_cast<std::size_t>(k)];
                p = prepareRow(rows[static_cast<std::size_t>(k)]);
                splitPreparedWords(p);  // in place: the views stay valid while the chunk is checked
            }
            for (std::size_t k = 0; k < count; ++k) {
                const std::size_t i = begin + k;
                const PreparedRow &p = chunk.prepared[k];
                ctx.rowIds[i] = rows[k].rowId;
                ctx.facts[i] = {p.key, static_cast<uint32_t>(p.promptChars), static_cast<uint32_t>(p.responseChars),
                                p.hasText};
                if (k > 0 && rows[k].split == rows[k - 1].split) {  // the common case: no lookup
                    ctx.splitOf[i] = ctx.splitOf[i - 1];
                } else {
                    auto split = splitIds.find(rows[k].split);
                    if (split == splitIds.end()) {
                        if (ctx.splitNames.size() > 65535)
                            throwBadInput("review: more than 65535 different split names");
                        split = splitIds.emplace(rows[k].split, static_cast<uint16_t>(ctx.splitNames.size())).first;
                        ctx.splitNames.push_back(rows[k].split);
                    }
                    ctx.splitOf[i] = split->second;
                }
                ctx.allPlainText = ctx.allPlainText && rows[k].plainText;
                int group = static_cast<int>(i);
                if (p.hasText)
                    group = firstOf.emplace(p.key, static_cast<int>(i)).first->second;
                ctx.exactGroup[i] = group;
            }
        });
        timed("row checks", [&] {
            for (RowCheck check : kRowChecks)
                check(chunk);
        });
        for (auto &[name, check] : streaming)
            timed(name, [&, c = check.get()] { c->feed(chunk, ctx); });
        for (ReviewFinding &f : chunk.findings)
            ctx.findings.push_back(std::move(f));
        mergeCounts(ctx.report, chunk.report);
    }
    std::unordered_map<std::pair<uint64_t, uint64_t>, int, KeyHash>().swap(firstOf);
    std::vector<ReviewRow>().swap(rows);
    std::vector<ReviewRow>().swap(next);

    // Then the checks over the whole dataset, in the order they depend on each other.
    using Finish = std::pair<const char *, std::function<void()>>;
    const std::vector<Finish> finishes = {
        {"exact duplicates", [&] { checkExactDuplicates(ctx); }},
        {"near duplicates", [&] { streaming[0].second->finish(ctx); }},
        {"split leakage", [&] { checkSplitLeakage(ctx); }},
        {"length outliers", [&] { checkLengthOutliers(ctx); }},
        {"token lengths", [&] { streaming[1].second->finish(ctx); }},
        {"script mix", [&] { streaming[2].second->finish(ctx); }},
        {"diversity", [&] { streaming[3].second->finish(ctx); }},
        {"documents", [&] { streaming[4].second->finish(ctx); }},
    };
    for (std::size_t s = 0; s < finishes.size(); ++s) {
        if (options.progress)
            options.progress(kPassShare + (1.0 - kPassShare) * static_cast<double>(s) /
                                              static_cast<double>(finishes.size() + 1),
                             finishes[s].first);
        ctx.checkCancel();
        timed(finishes[s].first, finishes[s].second);
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
    ctx.report["rows"] = n;
    ctx.report["counts"] = counts;
    ctx.report["rows_with_warnings_or_errors"] = flaggedRows.size();
    computeScore(ctx);
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
