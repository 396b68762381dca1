// Near duplicates: MinHash signatures of the exact groups' representatives, LSH bands for
// candidates (never all pairs), candidates kept when their estimated Jaccard similarity reaches
// the threshold, clusters by union-find. Exact duplicates join their representative's cluster
// but stay reported as exact duplicates.
#include "review/clusters.h"
#include "review/minhash.h"
#include "review/reviewcontext.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace ft::review {

void checkNearDuplicates(ReviewContext &ctx)
{
    const ReviewOptions &o = ctx.options;
    const std::size_t n = ctx.prepared.size();
    std::vector<int> unique;  // row indices that represent their exact group and have text
    for (std::size_t i = 0; i < n; ++i)
        if (ctx.exactGroup[i] == static_cast<int>(i) && ctx.prepared[i].hasText)
            unique.push_back(static_cast<int>(i));

    // Plain variables, not a structured binding: clang (the sanitizer build) does not let the
    // OpenMP region below capture a binding before C++20.
    const std::pair<int, int> banding = o.bands > 0 ? std::pair<int, int>{o.bands, o.numPermutations / o.bands}
                                                    : optimalBands(o.nearDuplicateThreshold, o.numPermutations);
    const int bands = banding.first;
    const int rowsPerBand = banding.second;
    const MinHasher hasher(bands * rowsPerBand, o.seed);
    const ShingleOptions shingles{o.wordShingles, o.shingleSize};
    // Only the band keys are kept for every row (8 bytes a band instead of 8 a bin: a million
    // rows' signatures would take a gigabyte); the signatures of the few rows that meet in a
    // bucket are made again when compared.
    auto signatureOf = [&](std::size_t k) {
        const PreparedRow &p = ctx.prepared[static_cast<std::size_t>(unique[k])];
        return hasher.signature(shingleHashes(p.prompt + "\x1e" + p.response, shingles, o.seed));
    };
    std::vector<uint64_t> bandKeys(unique.size() * static_cast<std::size_t>(bands));
    const auto count = static_cast<int64_t>(unique.size());
#pragma omp parallel for schedule(dynamic, 256)
    for (int64_t k = 0; k < count; ++k) {
        const std::vector<uint64_t> sig = signatureOf(static_cast<std::size_t>(k));
        for (int band = 0; band < bands; ++band)
            bandKeys[static_cast<std::size_t>(k) * static_cast<std::size_t>(bands) + static_cast<std::size_t>(band)] =
                lshBandKey(sig.data(), band, rowsPerBand);
    }
    ctx.checkCancel();
    std::unordered_map<int, std::vector<uint64_t>> sigCache;
    auto sig = [&](int k) -> const std::vector<uint64_t> & {
        auto it = sigCache.find(k);
        if (it == sigCache.end())
            it = sigCache.emplace(k, signatureOf(static_cast<std::size_t>(k))).first;
        return it->second;
    };

    UnionFind uf(n);
    for (std::size_t i = 0; i < n; ++i)
        uf.unite(static_cast<int>(i), ctx.exactGroup[i]);
    // Candidates already in one cluster are skipped: big buckets of near copies cost little.
    int64_t candidates = 0, verified = 0;
    forEachLshCandidate(bandKeys, bands, [&](int a, int b) {
        const int ra = unique[static_cast<std::size_t>(a)], rb = unique[static_cast<std::size_t>(b)];
        if (uf.find(ra) == uf.find(rb))
            return;
        ++candidates;
        if (MinHasher::estimate(sig(a), sig(b)) >= o.nearDuplicateThreshold) {
            uf.unite(ra, rb);
            ++verified;
        }
    });
    std::vector<uint64_t>().swap(bandKeys);
    ctx.checkCancel();

    ctx.cluster.assign(n, 0);
    std::vector<int> clusterSize(n, 0), exactInCluster(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        ctx.cluster[i] = uf.find(static_cast<int>(i));
        ++clusterSize[static_cast<std::size_t>(ctx.cluster[i])];
    }
    std::vector<int> sigIndex(n, -1);
    for (std::size_t k = 0; k < unique.size(); ++k)
        sigIndex[static_cast<std::size_t>(unique[k])] = static_cast<int>(k);

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
        const int64_t rep = ctx.rows[static_cast<std::size_t>(c)].rowId;
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
        const auto &p = ctx.prepared[static_cast<std::size_t>(nearClusters[k])];
        nlohmann::json members = nlohmann::json::array();
        for (std::size_t i = 0; i < n && members.size() < 20; ++i)
            if (ctx.cluster[i] == nearClusters[k])
                members.push_back(ctx.rows[i].rowId);
        top.push_back({{"cluster", p.row->rowId}, {"representative", p.row->rowId},
                       {"size", clusterSize[static_cast<std::size_t>(nearClusters[k])]},
                       {"members", members}, {"preview", rowPreview(*p.row)}});
    }
    ctx.report["near_duplicates"] = {
        {"clusters", nearClusters.size()}, {"rows_flagged", flagged}, {"top_clusters", top},
        {"threshold", o.nearDuplicateThreshold}, {"bands", bands}, {"rows_per_band", rowsPerBand},
        {"candidate_pairs_compared", candidates}, {"pairs_linked", verified},
        {"rule", "MinHash (one-permutation, densified) of " + std::to_string(o.shingleSize) +
                     (o.wordShingles ? "-word" : "-character") +
                     " shingles, LSH bands; pairs with estimated Jaccard >= threshold, clustered transitively"}};
}

} // namespace ft::review
