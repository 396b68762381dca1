#include "review/minhash.h"

#include "review/reviewtext.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ft::review {

std::vector<uint64_t> shingleHashes(std::string_view text, const ShingleOptions &options, uint64_t seed)
{
    std::vector<uint64_t> out;
    if (text.empty())
        return out;
    const std::size_t k = static_cast<std::size_t>(std::max(1, options.size));
    if (options.words) {
        const auto words = splitWords(text);
        if (words.empty())
            return out;
        if (words.size() <= k) {
            uint64_t h = seed;
            for (auto w : words)
                h = hash64(w, h);
            out.push_back(h);
            return out;
        }
        out.reserve(words.size() - k + 1);
        for (std::size_t i = 0; i + k <= words.size(); ++i) {
            uint64_t h = seed;
            for (std::size_t j = 0; j < k; ++j)
                h = hash64(words[i + j], h);
            out.push_back(h);
        }
        return out;
    }
    // Character shingles: byte offsets of code points, then k code points per shingle.
    std::vector<uint32_t> starts;
    starts.reserve(text.size() + 1);
    for (std::size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            starts.push_back(static_cast<uint32_t>(i));
    starts.push_back(static_cast<uint32_t>(text.size()));
    const std::size_t chars = starts.size() - 1;
    if (chars <= k) {
        out.push_back(hash64(text, seed));
        return out;
    }
    out.reserve(chars - k + 1);
    for (std::size_t i = 0; i + k <= chars; ++i)
        out.push_back(hash64(text.substr(starts[i], starts[i + k] - starts[i]), seed));
    return out;
}

MinHasher::MinHasher(int numPermutations, uint64_t seed) : m_k(std::max(1, numPermutations)), m_seed(seed) {}

std::vector<uint64_t> MinHasher::signature(const std::vector<uint64_t> &shingles) const
{
    constexpr uint64_t kEmpty = std::numeric_limits<uint64_t>::max();
    std::vector<uint64_t> sig(static_cast<std::size_t>(m_k), kEmpty);
    if (shingles.empty())
        return sig;
    for (uint64_t s : shingles) {
        const uint64_t h = mix64(s ^ m_seed);
        const auto bin = static_cast<std::size_t>((static_cast<unsigned __int128>(h) * static_cast<uint64_t>(m_k)) >> 64);
        // The value within a bin: an independent hash, so it does not correlate with the bin.
        const uint64_t v = mix64(h + 0x9e3779b97f4a7c15ULL) >> 1;  // < kEmpty
        if (v < sig[bin])
            sig[bin] = v;
    }
    // Optimal densification: an empty bin copies the first non-empty bin of its own probe
    // sequence; two texts probe the same sequence, so equal bins stay equally likely.
    std::vector<uint64_t> filled = sig;
    for (int i = 0; i < m_k; ++i) {
        if (sig[static_cast<std::size_t>(i)] != kEmpty)
            continue;
        for (uint64_t attempt = 1;; ++attempt) {
            const uint64_t h = mix64((static_cast<uint64_t>(i) << 32) ^ attempt ^ (m_seed * 0x2545F4914F6CDD1DULL));
            const auto j = static_cast<std::size_t>((static_cast<unsigned __int128>(h) * static_cast<uint64_t>(m_k)) >> 64);
            if (sig[j] != kEmpty) {
                filled[static_cast<std::size_t>(i)] = sig[j];
                break;
            }
        }
    }
    return filled;
}

double MinHasher::estimate(const std::vector<uint64_t> &a, const std::vector<uint64_t> &b)
{
    if (a.empty() || a.size() != b.size())
        return 0.0;
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        same += a[i] == b[i];
    return static_cast<double>(same) / static_cast<double>(a.size());
}

double exactJaccard(std::vector<uint64_t> a, std::vector<uint64_t> b)
{
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
    if (a.empty() && b.empty())
        return 1.0;
    std::size_t inter = 0, i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i] == b[j]) {
            ++inter;
            ++i;
            ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter);
}

namespace {

// Trapezoid integration, as datasketch does with scipy.integrate.quad (close enough to pick the
// same parameters).
template <class F>
double integrate(F f, double a, double b)
{
    const int n = 200;
    const double h = (b - a) / n;
    double s = 0.5 * (f(a) + f(b));
    for (int i = 1; i < n; ++i)
        s += f(a + i * h);
    return s * h;
}

} // namespace

std::pair<int, int> optimalBands(double threshold, int numPermutations)
{
    double best = std::numeric_limits<double>::max();
    std::pair<int, int> bestParams{1, numPermutations};
    for (int b = 1; b <= numPermutations; ++b) {
        const int maxR = numPermutations / b;
        for (int r = 1; r <= maxR; ++r) {
            const auto prob = [b, r](double s) { return 1.0 - std::pow(1.0 - std::pow(s, r), b); };
            const double fp = integrate(prob, 0.0, threshold);
            const double fn = integrate([&](double s) { return 1.0 - prob(s); }, threshold, 1.0);
            const double error = 0.5 * fp + 0.5 * fn;
            if (error < best) {
                best = error;
                bestParams = {b, r};
            }
        }
    }
    return bestParams;
}

uint64_t lshBandKey(const uint64_t *signature, int band, int rows)
{
    uint64_t h = static_cast<uint64_t>(band) * 0x9e3779b97f4a7c15ULL;
    for (int r = 0; r < rows; ++r)
        h = mix64(h ^ signature[band * rows + r]) + static_cast<uint64_t>(r);
    return h;
}

void forEachLshCandidate(const std::vector<uint64_t> &bandKeys, int bands,
                         const std::function<void(int, int)> &visit, int fullPairsUpTo)
{
    const int n = bands > 0 ? static_cast<int>(bandKeys.size() / static_cast<std::size_t>(bands)) : 0;
    std::vector<std::pair<uint64_t, int>> keys(static_cast<std::size_t>(n));
    for (int band = 0; band < bands; ++band) {
        for (int i = 0; i < n; ++i)
            keys[static_cast<std::size_t>(i)] = {bandKeys[static_cast<std::size_t>(i) * static_cast<std::size_t>(bands) +
                                                          static_cast<std::size_t>(band)],
                                                 i};
        std::sort(keys.begin(), keys.end());
        for (std::size_t start = 0; start < keys.size();) {
            std::size_t end = start + 1;
            while (end < keys.size() && keys[end].first == keys[start].first)
                ++end;
            const std::size_t m = end - start;
            if (m > 1 && static_cast<int>(m) <= fullPairsUpTo) {
                for (std::size_t a = start; a < end; ++a)
                    for (std::size_t b = a + 1; b < end; ++b)
                        visit(keys[a].second, keys[b].second);
            } else if (m > 1) {
                for (std::size_t a = start + 1; a < end; ++a) {
                    visit(keys[start].second, keys[a].second);
                    if (a + 1 < end)
                        visit(keys[a].second, keys[a + 1].second);
                }
            }
            start = end;
        }
    }
}

void forEachLshCandidate(const std::vector<std::vector<uint64_t>> &signatures, int bands, int rows,
                         const std::function<void(int, int)> &visit, int fullPairsUpTo)
{
    std::vector<uint64_t> keys;
    keys.reserve(signatures.size() * static_cast<std::size_t>(std::max(bands, 0)));
    for (const auto &sig : signatures)
        for (int band = 0; band < bands; ++band)
            keys.push_back(lshBandKey(sig.data(), band, rows));
    forEachLshCandidate(keys, bands, visit, fullPairsUpTo);
}

std::vector<std::pair<int, int>> lshCandidates(const std::vector<std::vector<uint64_t>> &signatures,
                                               int bands, int rows, int fullPairsUpTo)
{
    std::vector<std::pair<int, int>> pairs;
    forEachLshCandidate(signatures, bands, rows,
                        [&](int a, int b) { pairs.emplace_back(std::min(a, b), std::max(a, b)); }, fullPairsUpTo);
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    return pairs;
}

} // namespace ft::review
