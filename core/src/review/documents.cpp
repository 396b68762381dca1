// The document-level summary of a plain-text dataset (continued pre-training): how many
// documents, their tokens, the duplicate structure the duplicate checks found, boilerplate lines
// repeated across many documents (a running header, a licence line, a navigation bar that the
// cleaning left in), and the language mix. Report only ("documents"); no findings of its own.
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace ft::review {
namespace {

// A boilerplate line: in at least this share of the documents and in at least kMinDocuments.
constexpr double kBoilerplateShare = 0.3;
constexpr int64_t kBoilerplateMinDocuments = 3;
constexpr std::size_t kBoilerplateMinChars = 4;  // "---", "1." and the like are not boilerplate
constexpr std::size_t kBoilerplateListed = 20;

const std::string &documentText(const ReviewRow &row)
{
    static const std::string empty;
    return row.messages.empty() ? empty : row.messages.front().content;
}

// Each distinct line of a document (white space collapsed), once.
template <typename Visit>
void forEachDistinctLine(const std::string &text, Visit visit)
{
    std::set<uint64_t> seen;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line;
        for (std::size_t i = start; i < end; ++i) {
            const unsigned char c = static_cast<unsigned char>(text[i]);
            if (std::isspace(c)) {
                if (!line.empty() && line.back() != ' ')
                    line += ' ';
            } else {
                line += static_cast<char>(c);
            }
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        start = end + 1;
        if (countCodePoints(line) < kBoilerplateMinChars)
            continue;
        const uint64_t h = hash64(line, 7);
        if (seen.insert(h).second)
            visit(h, line);
    }
}

struct LineCount
{
    int64_t documents = 0;
    std::string text;
};

// The lines in enough documents to be boilerplate (counts from the pass over the rows), their
// text and the documents holding any of them from a second read of the documents.
nlohmann::json boilerplateLines(const std::unordered_map<uint64_t, LineCount> &counts, const ReviewContext &ctx,
                                int64_t &documentsWithAny)
{
    using Count = LineCount;
    const auto n = static_cast<int64_t>(ctx.rowCount);
    const int64_t needed = std::max<int64_t>(kBoilerplateMinDocuments,
                                             static_cast<int64_t>(std::ceil(kBoilerplateShare * static_cast<double>(n))));
    std::unordered_map<uint64_t, Count> boiler;
    for (const auto &[h, c] : counts)
        if (c.documents >= needed)
            boiler.emplace(h, c);
    documentsWithAny = 0;
    if (!boiler.empty()) {
        constexpr std::size_t kChunk = 4096;
        std::vector<ReviewRow> docs;
        for (std::size_t begin = 0; begin < ctx.rowCount; begin += kChunk) {
            ctx.source.read(begin, std::min(kChunk, ctx.rowCount - begin), docs);
            for (const ReviewRow &d : docs) {
                bool any = false;
                forEachDistinctLine(documentText(d), [&](uint64_t h, const std::string &line) {
                    auto it = boiler.find(h);
                    if (it == boiler.end())
                        return;
                    any = true;
                    if (it->second.text.empty())
                        it->second.text = line.substr(0, 300);
                });
                documentsWithAny += any;
            }
            ctx.checkCancel();
        }
    }
    std::vector<Count> sorted;
    for (auto &[h, c] : boiler)
        sorted.push_back(std::move(c));
    std::sort(sorted.begin(), sorted.end(), [](const Count &a, const Count &b) {
        return a.documents != b.documents ? a.documents > b.documents : a.text < b.text;
    });
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < sorted.size() && i < kBoilerplateListed; ++i)
        list.push_back({{"line", sorted[i].text},
                        {"documents", sorted[i].documents},
                        {"share", n ? static_cast<double>(sorted[i].documents) / static_cast<double>(n) : 0.0}});
    return {{"lines", list}, {"distinct_lines", sorted.size()}, {"documents_with_boilerplate", documentsWithAny},
            {"min_share", kBoilerplateShare}, {"min_documents", kBoilerplateMinDocuments}};
}

// The document's language from its letters: Han characters against Latin letters, and for Latin
// text the share of the commonest English function words.
std::string documentLanguage(const std::string &text)
{
    int64_t han = 0, latin = 0, other = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        switch (letterScript(nextCodePoint(text, pos))) {
        case Script::Latin: ++latin; break;
        case Script::Han:
        case Script::Kana:
        case Script::Hangul: ++han; break;
        case Script::None: break; // digits, punctuation, symbols, white space
        default: ++other; break;
        }
    }
    // A Han character carries about as much as a Latin word of ~4 letters.
    const double hanWeight = static_cast<double>(han) * 4.0, total = hanWeight + latin + other;
    if (total == 0)
        return "none";
    if (hanWeight / total >= 0.8)
        return "zh";
    if (static_cast<double>(other) / total >= 0.5)
        return "other";
    if (static_cast<double>(latin) / total >= 0.8) {
        static const std::set<std::string> common = {"the", "and", "of", "to", "in", "is", "a", "that", "for", "it",
                                                     "with", "as", "was", "on", "are", "be", "by", "this", "or"};
        int64_t words = 0, hits = 0;
        for (const std::string_view w : splitWords(text)) {
            std::string lower(w);
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
            ++words;
            hits += common.count(lower);
        }
        return words > 0 && hits * 100 >= words * 8 ? "en" : "latin_other";
    }
    return hanWeight > 0 ? "zh+en" : "mixed";
}



class Documents : public StreamingCheck
{
public:
    void feed(ChunkContext &chunk, ReviewContext &) override
    {
        if (!m_plainText)
            return;
        for (const ReviewRow &r : chunk.rows)
            if (!r.plainText) {  // not a text dataset: no document summary
                m_plainText = false;
                std::unordered_map<uint64_t, LineCount>().swap(m_lines);
                return;
            }
        for (const ReviewRow &r : chunk.rows) {
            const std::string &text = documentText(r);
            m_empty += isBlank(text);
            m_bytes += static_cast<int64_t>(text.size());
            m_characters += static_cast<int64_t>(countCodePoints(text));
            ++m_languages[documentLanguage(text)];
            forEachDistinctLine(text, [&](uint64_t h, const std::string &) { ++m_lines[h].documents; });
        }
    }

    void finish(ReviewContext &ctx) override
    {
        const std::size_t n = ctx.rowCount;
        if (n == 0 || !m_plainText)
            return;
        const int64_t empty = m_empty, characters = m_characters, bytes = m_bytes;
        const std::map<std::string, int64_t> &languages = m_languages;
        ctx.checkCancel();

        nlohmann::json tokens = {{"exact", ctx.report["token_lengths"].value("exact", false)}};
        if (!ctx.tokenCounts.empty()) {
            int64_t total = 0, lo = INT64_MAX, hi = 0;
            for (const int64_t t : ctx.tokenCounts) {
                total += std::max<int64_t>(t, 0);
                lo = std::min(lo, t);
                hi = std::max(hi, t);
            }
            tokens["total"] = total;
            tokens["mean"] = static_cast<double>(total) / static_cast<double>(n);
            tokens["min"] = lo;
            tokens["max"] = hi;
        }

        // Duplicates from the exact and near checks: copies beyond each group's first document.
        int64_t exactCopies = 0, nearDocuments = 0;
        std::map<int, std::set<int>> groupsPerCluster;
        for (std::size_t i = 0; i < n; ++i) {
            if (!ctx.exactGroup.empty() && ctx.exactGroup[i] != static_cast<int>(i))
                ++exactCopies;
            if (!ctx.cluster.empty() && !ctx.exactGroup.empty())
                groupsPerCluster[ctx.cluster[i]].insert(ctx.exactGroup[i]);
        }
        int64_t nearClusters = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (!ctx.cluster.empty() && groupsPerCluster[ctx.cluster[i]].size() > 1)
                ++nearDocuments;
        for (const auto &[c, groups] : groupsPerCluster)
            nearClusters += groups.size() > 1;

        int64_t withBoilerplate = 0;
        nlohmann::json boiler = boilerplateLines(m_lines, ctx, withBoilerplate);
        ctx.checkCancel();

        nlohmann::json langs = nlohmann::json::object();
        for (const auto &[lang, count] : languages)
            langs[lang] = count;
        ctx.report["documents"] = {
            {"documents", n},
            {"empty", empty},
            {"characters", characters},
            {"bytes", bytes},
            {"tokens", tokens},
            {"duplicates", {{"exact_copies", exactCopies}, {"near_duplicate_clusters", nearClusters},
                            {"documents_in_near_clusters", nearDocuments}}},
            {"boilerplate", boiler},
            {"languages", langs},
        };
    }

private:
    bool m_plainText = true;
    int64_t m_empty = 0, m_characters = 0, m_bytes = 0;
    std::map<std::string, int64_t> m_languages;
    std::unordered_map<uint64_t, LineCount> m_lines;  // documents per distinct line
};

} // namespace

std::unique_ptr<StreamingCheck> documentSummary()
{
    return std::make_unique<Documents>();
}

} // namespace ft::review
