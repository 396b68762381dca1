// Diversity: distinct-1/2 (unique n-grams / all n-grams) of prompts and responses on an evenly
// spaced sample of up to 2,000 rows (distinct-n falls with size, so a fixed sample keeps datasets
// comparable), the most frequent openings of the prompt (first two words), the spread of response
// lengths, and the topic spread: the words (Latin, 3+ letters, not a stop word) and Han bigrams
// in most rows.
#include "review/keywordtable.h"
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace ft::review {
namespace {

constexpr std::size_t kSample = 2000;

struct Distinct
{
    std::unordered_set<uint64_t> uni, bi;
    int64_t uniTotal = 0, biTotal = 0;
    void add(const std::vector<std::string_view> &words)
    {
        for (std::size_t i = 0; i < words.size(); ++i) {
            uni.insert(hash64(words[i]));
            ++uniTotal;
            if (i + 1 < words.size()) {
                bi.insert(hash64(words[i + 1], hash64(words[i])));
                ++biTotal;
            }
        }
    }
    nlohmann::json json() const
    {
        return {{"distinct_1", uniTotal ? static_cast<double>(uni.size()) / static_cast<double>(uniTotal) : 0.0},
                {"distinct_2", biTotal ? static_cast<double>(bi.size()) / static_cast<double>(biTotal) : 0.0}};
    }
};

// A word of up to 8 bytes as one integer (words hold no NUL byte, so the zero padding is unique).
uint64_t packWord(std::string_view w)
{
    uint64_t key = 0;
    std::memcpy(&key, w.data(), std::min<std::size_t>(w.size(), 8));
    return key;
}

bool isStopWord(std::string_view w)
{
    static const char *const kStop[] = {
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our",
        "out", "has", "have", "his", "how", "its", "may", "new", "now", "see", "who", "did", "get", "use",
        "that", "this", "with", "from", "they", "will", "would", "there", "their", "what", "about", "which",
        "when", "make", "like", "time", "just", "know", "take", "into", "your", "some", "could", "them",
        "than", "then", "these", "those", "other", "also", "more", "most", "such", "only", "over", "very",
        "been", "were", "each", "here", "where", "while", "should", "being", "both", "does", "doing", "given",
        "following", "provide", "using", "write", "create", "describe", "explain", "generate", "sentence",
        "text", "list", "give", "find", "identify", "answer", "question", "input", "output", "example",
        "two", "three", "through", "help", "used", "people", "many", "much", "well", "way", "ways", "good",
        "because", "after", "before", "between", "without", "within", "different", "important", "including",
        "however", "often", "able", "need", "needs", "first", "second", "based", "every", "even", "still"};
    // Looked up for every word of every row: the short ones as sorted integers, the few longer
    // ones compared directly (a string hash per word was a tenth of the diversity stage).
    static const auto table = [] {
        std::pair<std::vector<uint64_t>, std::vector<std::string_view>> t;
        for (const char *word : kStop) {
            const std::string_view v(word);
            if (v.size() <= 8)
                t.first.push_back(packWord(v));
            else
                t.second.push_back(v);
        }
        std::sort(t.first.begin(), t.first.end());
        return t;
    }();
    if (w.size() <= 8)
        return std::binary_search(table.first.begin(), table.first.end(), packWord(w));
    return std::find(table.second.begin(), table.second.end(), w) != table.second.end();
}

double entropyNormalised(const std::unordered_map<std::string, int64_t> &counts, int64_t total)
{
    if (counts.size() < 2 || total == 0)
        return 0.0;
    double h = 0;
    for (const auto &[k, c] : counts) {
        const double p = static_cast<double>(c) / static_cast<double>(total);
        h -= p * std::log(p);
    }
    return h / std::log(static_cast<double>(counts.size()));
}

nlohmann::json top(const std::unordered_map<std::string, int64_t> &counts, std::size_t k, int64_t rows)
{
    std::vector<std::pair<std::string, int64_t>> v(counts.begin(), counts.end());
    std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < v.size() && i < k; ++i)
        out.push_back({{"text", v[i].first}, {"rows", v[i].second},
                       {"share", rows ? static_cast<double>(v[i].second) / static_cast<double>(rows) : 0.0}});
    return out;
}

// One row's share of the keyword and opening counts.
struct RowTerms
{
    bool hasPrompt = false;
    std::string opening;                                   // first two words of the prompt
    std::vector<std::pair<uint64_t, std::string_view>> firstSeen; // each keyword once, in text order
};

void readTerms(const PreparedRow &p, RowTerms &out)
{
    out.firstSeen.clear();
    const auto &words = p.promptWords;
    out.hasPrompt = !words.empty();
    if (out.hasPrompt) {
        out.opening.assign(words[0]);
        if (words.size() > 1)
            out.opening += (isCjkCharacter(nextCodePointAt(words[1])) ? "" : " ") + std::string(words[1]);
    }
    auto collect = [&](const std::vector<std::string_view> &ws) {
        for (std::size_t w = 0; w < ws.size(); ++w) {
            const char32_t cp = nextCodePointAt(ws[w]);
            std::string_view term;
            if (isCjkCharacter(cp)) {
                // Han bigram: two adjacent characters of the text.
                if (w + 1 < ws.size() && isCjkCharacter(nextCodePointAt(ws[w + 1])) &&
                    ws[w].data() + ws[w].size() == ws[w + 1].data())
                    term = std::string_view(ws[w].data(), ws[w].size() + ws[w + 1].size());
            } else if (ws[w].size() >= 3 && !isStopWord(ws[w]) &&
                       !std::all_of(ws[w].begin(), ws[w].end(), [](char c) { return c >= '0' && c <= '9'; })) {
                term = ws[w];
            }
            if (!term.empty())
                out.firstSeen.emplace_back(hash64(term), term);
        }
    };
    collect(words);
    collect(p.responseWords);
    // Keep the first occurrence of each hash, in text order (a small open-addressing set per row).
    const std::size_t n = out.firstSeen.size();
    std::size_t capacity = 16;
    while (capacity < 2 * n)
        capacity *= 2;
    thread_local std::vector<uint64_t> seen;
    thread_local std::vector<char> used;
    seen.resize(capacity);
    used.assign(capacity, 0);
    std::size_t kept = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const uint64_t h = out.firstSeen[k].first;
        std::size_t i = static_cast<std::size_t>(h) & (capacity - 1);
        while (used[i] && seen[i] != h)
            i = (i + 1) & (capacity - 1);
        if (used[i])
            continue;
        used[i] = 1;
        seen[i] = h;
        out.firstSeen[kept++] = out.firstSeen[k];
    }
    out.firstSeen.resize(kept);
}

// Fed in row order a chunk at a time: the chunk's rows are read in parallel, then counted in row
// order (each keyword shard and the openings on their own thread), so the counts and the kept
// texts are a serial pass's; ties among the top keywords are broken by hash.
class Diversity : public StreamingCheck
{
public:
    explicit Diversity(std::size_t rowCount) : m_rows(rowCount), m_step(std::max<std::size_t>(1, rowCount / kSample)) {}

    void feed(ChunkContext &chunk, ReviewContext &) override
    {
        const std::size_t count = chunk.prepared.size();
        for (std::size_t k = 0; k < count; ++k) {
            const std::size_t i = chunk.base + k;  // the sample: every m_step-th row, kSample at most
            if (i % m_step == 0 && m_sampled < kSample) {
                m_prompts.add(chunk.prepared[k].promptWords);
                m_responses.add(chunk.prepared[k].responseWords);
                ++m_sampled;
            }
        }
        m_terms.resize(count);
        const auto c = static_cast<int64_t>(count);
        RowTerms *terms = m_terms.data();
#pragma omp parallel for schedule(dynamic, 64)
        for (int64_t k = 0; k < c; ++k)
            readTerms(chunk.prepared[static_cast<std::size_t>(k)], terms[k]);
        // Counted in row order, on both threads: the keywords split by hash into shards (each
        // shard's maps see its keywords in row order, as one map would), the openings one more task.
        KeywordTable *shards = m_shards;
        std::unordered_map<std::string, int64_t> &openings = m_openings;
        int64_t withPrompt = 0;
#pragma omp parallel for schedule(static, 1) reduction(+ : withPrompt)
        for (int task = 0; task <= kShards; ++task) {
            for (int64_t k = 0; k < c; ++k) {
                const RowTerms &t = terms[k];
                if (task == kShards) {
                    if (t.hasPrompt) {
                        ++withPrompt;
                        ++openings[t.opening];
                    }
                    continue;
                }
                KeywordTable &shard = shards[task];
                for (const auto &[h, term] : t.firstSeen)
                    if (shardOf(h) == task)
                        shard.addRow(h, term, kKeywordTexts / kShards);
            }
        }
        m_withPrompt += withPrompt;
    }

    void finish(ReviewContext &ctx) override
    {
        std::vector<RowTerms>().swap(m_terms);
        const std::size_t n = m_rows;
        std::vector<double> lengths;
        lengths.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            lengths.push_back(static_cast<double>(ctx.facts[i].responseChars));
        double mean = 0, var = 0;
        for (double l : lengths)
            mean += l;
        mean = n ? mean / static_cast<double>(n) : 0.0;
        for (double l : lengths)
            var += (l - mean) * (l - mean);
        var = n > 1 ? var / static_cast<double>(n - 1) : 0.0;
        // Keywords in almost every row are the dataset's boilerplate, not its topics: left out.
        std::unordered_map<std::string, int64_t> keywords;
        {
            std::vector<std::pair<int64_t, uint64_t>> ranked;
            for (const KeywordTable &shard : m_shards)
                shard.forEach([&](uint64_t h, int64_t rows) {
                    if (!(n >= 10 && rows * 10 > static_cast<int64_t>(n) * 9))
                        ranked.emplace_back(rows, h);
                });
            const std::size_t k = std::min<std::size_t>(ranked.size(), 15);
            // Ties by hash: the same top keywords whatever order the maps hold them in.
            std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k), ranked.end(),
                              [](const auto &a, const auto &b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
            for (std::size_t j = 0; j < k; ++j) {
                if (const std::string *text = m_shards[shardOf(ranked[j].second)].text(ranked[j].second))
                    keywords[*text] = ranked[j].first;
            }
        }

        std::size_t distinctKeywords = 0;
        for (const KeywordTable &shard : m_shards)
            distinctKeywords += shard.size();
        const nlohmann::json topOpenings = top(m_openings, 10, m_withPrompt);
        ctx.report["diversity"] = {
            {"sample_rows", m_sampled},
            {"prompts", m_prompts.json()},
            {"responses", m_responses.json()},
            {"top_openings", topOpenings},
            {"distinct_openings", m_openings.size()},
            {"opening_entropy", entropyNormalised(m_openings, m_withPrompt)},
            {"top_opening_share", topOpenings.empty() ? 0.0 : topOpenings[0]["share"].get<double>()},
            {"response_length", {{"mean_chars", mean},
                                 {"stddev_chars", std::sqrt(var)},
                                 {"coefficient_of_variation", mean > 0 ? std::sqrt(var) / mean : 0.0}}},
            {"top_keywords", top(keywords, 15, static_cast<int64_t>(n))},
            {"distinct_keywords", distinctKeywords},
        };
    }

private:
    std::size_t m_rows, m_step, m_sampled = 0;
    Distinct m_prompts, m_responses;
    std::vector<RowTerms> m_terms;  // the chunk in hand's
    std::unordered_map<std::string, int64_t> m_openings;
    // Keywords by hash (document frequency), with the text kept once per distinct keyword (up to
    // kKeywordTexts in all: enough for the top ones, whose text is shown), in shards by hash.
    static constexpr int kShards = 3;
    static constexpr std::size_t kKeywordTexts = 2000000;
    static int shardOf(uint64_t h) { return static_cast<int>(h % kShards); }
    KeywordTable m_shards[kShards];
    int64_t m_withPrompt = 0;
};

} // namespace

std::unique_ptr<StreamingCheck> diversityFigures(std::size_t rowCount)
{
    return std::make_unique<Diversity>(rowCount);
}

} // namespace ft::review
