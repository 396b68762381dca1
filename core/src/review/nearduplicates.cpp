// Near duplicates: MinHash signatures of the exact groups' representatives, LSH bands for
// candidates (never all pairs), candidates kept when their estimated Jaccard similarity reaches
// the threshold, clusters by union-find. Exact duplicates join their representative's cluster
// but stay reported as exact duplicates. The band keys are made as the chunks pass; the rows
// that meet in a bucket are read back to make their signatures again for the comparison.
#include "review/clusters.h"
#include "review/minhash.h"
#include "review/reviewcontext.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <unordered_map>

namespace ft::review {
namespace {

class NearDuplicates : public StreamingCheck
{
public:
    explicit NearDuplicates(const ReviewOptions &o) : m_options(o), m_shingles{o.wordShingles, o.shingleSize}
    {
        const std::pair<int, int> banding = o.bands > 0 ? std::pair<int, int>{o.bands, o.numPermutations / o.bands}
                                                        : optimalBands(o.nearDuplicateThreshold, o.numPermutations);
        m_bands = banding.first;
        m_rowsPerBand = banding.second;
        m_hasher = std::make_unique<MinHasher>(m_bands * m_rowsPerBand, o.seed);
    }

    // Band keys of the rows that represent their exact group and have text. Only the band keys
    // are kept for every row (8 bytes a band instead of 8 a bin: a million rows' signatures would
    // take a gigabyte).
    void feed(ChunkContext &chunk, ReviewContext &ctx) override
    {
        if (chunk.base == 0) {  // at most every row: no reallocation (a copy) of the largest array
            m_unique.reserve(ctx.rowCount);
            m_bandKeys.reserve(ctx.rowCount * static_cast<std::size_t>(m_bands));
        }
        const std::size_t first = m_unique.size();
        for (std::size_t k = 0; k < chunk.rows.size(); ++k) {
            const std::size_t i = chunk.base + k;
            if (ctx.exactGroup[i] == static_cast<int>(i) && chunk.prepared[k].hasText)
                m_unique.push_back(static_cast<int>(i));
        }
        const std::size_t bands = static_cast<std::size_t>(m_bands);
        m_bandKeys.resize(m_unique.size() * bands);
        const auto count = static_cast<int64_t>(m_unique.size() - first);
        // Plain copies: clang (the sanitizer build) does not let the OpenMP region capture members
        // through `this` in every version.
        const int rowsPerBand = m_rowsPerBand;
        const std::size_t base = chunk.base;
        uint64_t *keys = m_bandKeys.data();
        const int *unique = m_unique.data();
#pragma omp parallel for schedule(dynamic, 256)
        for (int64_t j = 0; j < count; ++j) {
            const std::size_t k = first + static_cast<std::size_t>(j);
            const std::vector<uint64_t> sig =
                signatureOf(chunk.prepared[static_cast<std::size_t>(unique[k]) - base]);
            for (std::size_t band = 0; band < bands; ++band)
                keys[k * bands + band] = lshBandKey(sig.data(), static_cast<int>(band), rowsPerBand);
        }
    }

    void finish(ReviewContext &ctx) override
    {
        UnionFind uf(ctx.rowCount);
        for (std::size_t i = 0; i < ctx.rowCount; ++i)
            uf.unite(static_cast<int>(i), ctx.exactGroup[i]);
        run(ctx, uf);
    }

private:
    std::vector<uint64_t> signatureOf(const PreparedRow &p) const
    {
        return m_hasher->signatureOfText(p.prompt + "\x1e" + p.response, m_shingles, m_options.seed);
    }

    std::size_t rowOf(int k) const { return static_cast<std::size_t>(m_unique[static_cast<std::size_t>(k)]); }

    void run(ReviewContext &ctx, UnionFind &uf)
    {
        ctx.checkCancel();
        const std::size_t n = ctx.rowCount;
        const ReviewOptions &o = m_options;
        // The signatures compared: every row that meets another in a bucket, read back in index order
        // and hashed in parallel a batch at a time.
        std::unordered_map<int, std::vector<uint64_t>> sigCache;
        std::vector<std::pair<int, int>> pairs;  // the LSH candidates in visiting order (a few per row in a bucket)
        {
            forEachLshCandidate(m_bandKeys, m_bands, [&](int a, int b) { pairs.emplace_back(a, b); });
            std::vector<uint64_t>().swap(m_bandKeys);
            std::vector<char> needed(m_unique.size(), 0);
            for (const auto &[a, b] : pairs)
                needed[static_cast<std::size_t>(a)] = needed[static_cast<std::size_t>(b)] = 1;
            std::vector<int> ks;
            for (std::size_t k = 0; k < needed.size(); ++k)
                if (needed[k])
                    ks.push_back(static_cast<int>(k));
            // Read a batch ahead on a second thread while this one is hashed.
            constexpr std::size_t kBatch = 2048;
            std::vector<ReviewRow> rows, next;
            std::future<void> reading;
            auto readAhead = [&](std::size_t b) {
                if (b < ks.size())
                    reading = std::async(std::launch::async, [&, b] {
                        next.clear();
                        for (std::size_t j = b; j < std::min(ks.size(), b + kBatch); ++j)
                            next.push_back(ctx.source.at(rowOf(ks[j])));
                    });
            };
            std::vector<std::vector<uint64_t>> sigs;
            readAhead(0);
            for (std::size_t b = 0; b < ks.size(); b += kBatch) {
                const std::size_t e = std::min(ks.size(), b + kBatch);
                reading.get();
                rows.swap(next);
                readAhead(e);
                sigs.assign(e - b, {});
                const auto count = static_cast<int64_t>(e - b);
#pragma omp parallel for schedule(dynamic, 16)
                for (int64_t j = 0; j < count; ++j)
                    sigs[static_cast<std::size_t>(j)] = signatureOf(prepareRow(rows[static_cast<std::size_t>(j)]));
                for (std::size_t j = b; j < e; ++j)
                    sigCache.emplace(ks[j], std::move(sigs[j - b]));
                ctx.checkCancel();
            }
        }
        auto sig = [&](int k) -> const std::vector<uint64_t> & {
            auto it = sigCache.find(k);
            if (it == sigCache.end()) {
                const ReviewRow row = ctx.source.at(rowOf(k));
                it = sigCache.emplace(k, signatureOf(prepareRow(row))).first;
            }
            return it->second;
        };

        // Candidates already in one cluster are skipped: big buckets of near copies cost little.
        int64_t candidates = 0, verified = 0;
        for (const auto &[a, b] : pairs) {
            const int ra = m_unique[static_cast<std::size_t>(a)], rb = m_unique[static_cast<std::size_t>(b)];
            if (uf.find(ra) == uf.find(rb))
                continue;
            ++candidates;
            if (MinHasher::estimate(sig(a), sig(b)) >= o.nearDuplicateThreshold) {
                uf.unite(ra, rb);
                ++verified;
            }
        }
        std::vector<std::pair<int, int>>().swap(pairs);
        ctx.checkCancel();

        ctx.cluster.assign(n, 0);
        std::vector<int> clusterSize(n, 0), exactInCluster(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            ctx.cluster[i] = uf.find(static_cast<int>(i));
            ++clusterSize[static_cast<std::size_t>(ctx.cluster[i])];
        }
        std::vector<int> sigIndex(n, -1);
        for (std::size_t k = 0; k < m_unique.size(); ++k)
            sigIndex[static_cast<std::size_t>(m_unique[k])] = static_cast<int>(k);

        // A cluster is "near" when it holds more than one exact group.
        std::vector<int> groupsInCluster(n, 0);
        for (std::size_t i = 0; i < n; ++i)
            if (ctx.exactGroup[i] == static_cast<int>(i))
                ++groupsInCluster[static_cast<std::size_t>(ctx.cluster[i])];

        int64_t flagged = 0;
        std::vector<int> nearClusters;
        for (std::size_t i = 0; i < n; ++i) {
            const int c = ctx.cluster[i];
            if (groupsInCluster[static_cast<std::size_t>(c)] < 2)
                continue;
            if (c == static_cast<int>(i)) {
                nearClusters.push_back(c);
                continue;
            }
            if (ctx.exactGroup[i] != static_cast<int>(i))
                continue;  // reported as an exact duplicate
            ++flagged;
            const int a = sigIndex[i], b = sigIndex[static_cast<std::size_t>(c)];
            const double sim = a >= 0 && b >= 0 ? MinHasher::estimate(sig(a), sig(b)) : 0.0;
            const int64_t rep = ctx.rowIds[static_cast<std::size_t>(c)];
            char simText[16];
            std::snprintf(simText, sizeof simText, "%.2f", sim);
            ctx.add(i, finding::NearDuplicate, Severity::Warning,
                    "Near duplicate of row " + std::to_string(rep) + " (estimated Jaccard similarity " + simText +
                        " of " + std::to_string(o.shingleSize) + (o.wordShingles ? "-word" : "-character") +
                        " shingles; cluster of " + std::to_string(clusterSize[static_cast<std::size_t>(c)]) + " rows)",
                    {{"cluster", rep}, {"representative", rep}, {"similarity", sim},
                     {"size", clusterSize[static_cast<std::size_t>(c)]}});
        }
        std::stable_sort(nearClusters.begin(), nearClusters.end(), [&](int a, int b) {
            return clusterSize[static_cast<std::size_t>(a)] > clusterSize[static_cast<std::size_t>(b)];
        });
        nlohmann::json top = nlohmann::json::array();
        for (std::size_t k = 0; k < nearClusters.size() && k < 10; ++k) {
            const ReviewRow row = ctx.source.at(static_cast<std::size_t>(nearClusters[k]));  // read back to quote it
            nlohmann::json members = nlohmann::json::array();
            for (std::size_t i = 0; i < n && members.size() < 20; ++i)
                if (ctx.cluster[i] == nearClusters[k])
                    members.push_back(ctx.rowIds[i]);
            top.push_back({{"cluster", row.rowId}, {"representative", row.rowId},
                           {"size", clusterSize[static_cast<std::size_t>(nearClusters[k])]},
                           {"members", members}, {"preview", rowPreview(row)}});
        }
        ctx.report["near_duplicates"] = {
            {"clusters", nearClusters.size()}, {"rows_flagged", flagged}, {"top_clusters", top},
            {"threshold", o.nearDuplicateThreshold}, {"bands", m_bands}, {"rows_per_band", m_rowsPerBand},
            {"candidate_pairs_compared", candidates}, {"pairs_linked", verified},
            {"rule", "MinHash (one-permutation, densified) of " + std::to_string(o.shingleSize) +
                         (o.wordShingles ? "-word" : "-character") +
                         " shingles, LSH bands; pairs with estimated Jaccard >= threshold, clustered transitively"}};
    }

    const ReviewOptions &m_options;
    ShingleOptions m_shingles;
    int m_bands = 0, m_rowsPerBand = 0;
    std::unique_ptr<MinHasher> m_hasher;
    std::vector<int> m_unique;         // row indices that represent their exact group and have text
    std::vector<uint64_t> m_bandKeys;  // m_bands per entry of m_unique
};

} // namespace

std::unique_ptr<StreamingCheck> nearDuplicateCheck(const ReviewOptions &o)
{
    return std::make_unique<NearDuplicates>(o);
}

} // namespace ft::review
