// MinHash signatures and LSH banding for near-duplicate search. One-permutation hashing with
// optimal densification (Shrivastava, ICML 2017): one hash per shingle, k bins, the minimum per
// bin, empty bins filled from a deterministic probe sequence. The fraction of equal bins
// estimates the Jaccard similarity of the shingle sets, at O(shingles + k) per text.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace ft::review {

struct ShingleOptions
{
    bool words = false;  // false: character shingles (code points)
    int size = 5;
};

// Hashes of the text's shingles (a text shorter than one shingle is a single shingle; an empty
// text has none). May hold repeats.
std::vector<uint64_t> shingleHashes(std::string_view text, const ShingleOptions &options, uint64_t seed);

class MinHasher
{
public:
    MinHasher(int numPermutations, uint64_t seed);
    int size() const { return m_k; }
    std::vector<uint64_t> signature(const std::vector<uint64_t> &shingles) const;
    // signature(shingleHashes(text, options, shingleSeed)), without the list of shingle hashes;
    // ASCII text in character shingles is hashed eight shingles at a time where the CPU has
    // AVX-512. `vectorised` false: the plain path (tests).
    std::vector<uint64_t> signatureOfText(std::string_view text, const ShingleOptions &options, uint64_t shingleSeed,
                                          bool vectorised = true) const;
    static double estimate(const std::vector<uint64_t> &a, const std::vector<uint64_t> &b);

private:
    void add(std::vector<uint64_t> &sig, uint64_t shingle) const;
    std::vector<uint64_t> densified(const std::vector<uint64_t> &sig) const;
    int m_k;
    uint64_t m_seed;
};

// Exact Jaccard similarity of two shingle hash sets (for tests and verification).
double exactJaccard(std::vector<uint64_t> a, std::vector<uint64_t> b);

// datasketch's MinHashLSH._optimal_param: (bands, rows per band) with bands * rows <=
// numPermutations minimising the equally weighted false positive and negative areas.
std::pair<int, int> optimalBands(double threshold, int numPermutations);

// Calls visit(i, j) for signatures that share a band: per band, each bucket's members pairwise,
// or (buckets with more than `fullPairsUpTo` members) each with the bucket's first and its
// neighbour, a chain that still links the bucket under union-find. A pair may be visited once
// per band it shares.
void forEachLshCandidate(const std::vector<std::vector<uint64_t>> &signatures, int bands, int rows,
                         const std::function<void(int, int)> &visit, int fullPairsUpTo = 64);

// The same from the band keys alone (bandKeys[i * bands + band] = lshBandKey(signature i, band,
// rows)): 8 bytes per band and row instead of the whole signature.
uint64_t lshBandKey(const uint64_t *signature, int band, int rows);
void forEachLshCandidate(const std::vector<uint64_t> &bandKeys, int bands,
                         const std::function<void(int, int)> &visit, int fullPairsUpTo = 64);

// The distinct pairs (i < j) forEachLshCandidate visits. Buckets with more than
// `fullPairsUpTo` members pair each member with the bucket's first and with its neighbour only
// (a chain, so that union-find still links the bucket) instead of all pairs.
std::vector<std::pair<int, int>> lshCandidates(const std::vector<std::vector<uint64_t>> &signatures,
                                               int bands, int rows, int fullPairsUpTo = 64);

} // namespace ft::review
