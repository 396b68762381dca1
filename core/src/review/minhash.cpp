#include "review/minhash.h"

#include "review/reviewtext.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

namespace {

constexpr uint64_t kEmpty = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr uint64_t kValueSalt = 0x9e3779b97f4a7c15ULL;

#if defined(__x86_64__)
#define FT_AVX512DQ __attribute__((target("avx512f,avx512dq")))
// The zero-masked forms (maskz, all lanes) throughout: GCC 12's plain shifts, multiplies and
// widenings start from an "undefined" register, which it warns about when optimising
// (-Wmaybe-uninitialized); every lane is written either way.

FT_AVX512DQ inline __m512i mix64x8(__m512i x)
{
    x = _mm512_xor_si512(x, _mm512_maskz_srli_epi64(0xFF, x, 30));
    x = _mm512_mullo_epi64(x, _mm512_set1_epi64(static_cast<long long>(0xbf58476d1ce4e5b9ULL)));
    x = _mm512_xor_si512(x, _mm512_maskz_srli_epi64(0xFF, x, 27));
    x = _mm512_mullo_epi64(x, _mm512_set1_epi64(static_cast<long long>(0x94d049bb133111ebULL)));
    return _mm512_xor_si512(x, _mm512_maskz_srli_epi64(0xFF, x, 31));
}

// The first shingles of an ASCII text, eight at a time: lane j hashes the `width` bytes from
// text[i + j] (hash64's FNV-1a and finaliser), then MinHash's bin (the high 64 bits of hash x
// bins, from two 32-bit products) and value, and the bins take the minimum. Returns how many
// shingles it did (a multiple of 8).
FT_AVX512DQ inline __m512i bytesAt(const char *text, std::size_t at)
{
    return _mm512_maskz_cvtepu8_epi64(0xFF, _mm_loadl_epi64(reinterpret_cast<const __m128i *>(text + at)));
}

// Eight shingles' FNV states into their MinHash bins (the top 64 bits of the mixed hash times
// binCount: (hi * 2^32 + lo) * n = hi * n * 2^32 + lo * n) and values.
FT_AVX512DQ inline void binsAndValues(__m512i fnv, uint64_t seed, uint32_t binCount, uint64_t *bins, uint64_t *values)
{
    const __m512i mixed = mix64x8(_mm512_xor_si512(mix64x8(fnv), _mm512_set1_epi64(static_cast<long long>(seed))));
    const __m512i n = _mm512_set1_epi64(binCount);
    const __m512i low = _mm512_maskz_mul_epu32(0xFF, mixed, n);
    const __m512i high = _mm512_maskz_mul_epu32(0xFF, _mm512_maskz_srli_epi64(0xFF, mixed, 32), n);
    const __m512i carried = _mm512_add_epi64(high, _mm512_maskz_srli_epi64(0xFF, low, 32));
    _mm512_store_si512(bins, _mm512_maskz_srli_epi64(0xFF, carried, 32));
    const __m512i salted = _mm512_add_epi64(mixed, _mm512_set1_epi64(static_cast<long long>(kValueSalt)));
    _mm512_store_si512(values, _mm512_maskz_srli_epi64(0xFF, mix64x8(salted), 1));
}

inline void keepMinima(const uint64_t *bins, const uint64_t *values, int lanes, uint64_t *sig)
{
    for (int j = 0; j < lanes; ++j)
        if (values[j] < sig[bins[j]])
            sig[bins[j]] = values[j];
}

// The first shingles of an ASCII text, eight at a time: lane j hashes the `width` bytes from
// text[i + j] (hash64's FNV-1a and finaliser), then takes MinHash's bin and value. Returns how
// many shingles it did (a multiple of 8).
FT_AVX512DQ std::size_t asciiShinglesAvx512(const char *text, std::size_t count, int width, uint64_t fnvStart,
                                           uint64_t seed, uint32_t binCount, uint64_t *sig)
{
    // Four blocks of eight at a time: each lane's FNV chain is a run of dependent multiplies, so
    // four independent chains keep the multiplier busy.
    constexpr int kBlocks = 4;
    const __m512i prime = _mm512_set1_epi64(static_cast<long long>(kFnvPrime));
    const __m512i start = _mm512_set1_epi64(static_cast<long long>(fnvStart));
    alignas(64) uint64_t bins[8 * kBlocks], values[8 * kBlocks];
    std::size_t i = 0;
    for (; i + 8 * kBlocks <= count; i += 8 * kBlocks) {
        __m512i h0 = start, h1 = start, h2 = start, h3 = start;
        for (int t = 0; t < width; ++t) {
            const std::size_t at = i + static_cast<std::size_t>(t);
            h0 = _mm512_mullo_epi64(_mm512_xor_si512(h0, bytesAt(text, at)), prime);
            h1 = _mm512_mullo_epi64(_mm512_xor_si512(h1, bytesAt(text, at + 8)), prime);
            h2 = _mm512_mullo_epi64(_mm512_xor_si512(h2, bytesAt(text, at + 16)), prime);
            h3 = _mm512_mullo_epi64(_mm512_xor_si512(h3, bytesAt(text, at + 24)), prime);
        }
        binsAndValues(h0, seed, binCount, bins, values);
        binsAndValues(h1, seed, binCount, bins + 8, values + 8);
        binsAndValues(h2, seed, binCount, bins + 16, values + 16);
        binsAndValues(h3, seed, binCount, bins + 24, values + 24);
        keepMinima(bins, values, 8 * kBlocks, sig);
    }
    for (; i + 8 <= count; i += 8) {
        __m512i h = start;
        for (int t = 0; t < width; ++t)
            h = _mm512_mullo_epi64(_mm512_xor_si512(h, bytesAt(text, i + static_cast<std::size_t>(t))), prime);
        binsAndValues(h, seed, binCount, bins, values);
        keepMinima(bins, values, 8, sig);
    }
    return i;
}

bool hasAvx512dq()
{
    static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    return yes;
}
#endif

} // namespace

void MinHasher::add(std::vector<uint64_t> &sig, uint64_t shingle) const
{
    const uint64_t h = mix64(shingle ^ m_seed);
    const auto bin = static_cast<std::size_t>((static_cast<unsigned __int128>(h) * static_cast<uint64_t>(m_k)) >> 64);
    // The value within a bin: an independent hash, so it does not correlate with the bin.
    const uint64_t v = mix64(h + kValueSalt) >> 1;  // < kEmpty
    if (v < sig[bin])
        sig[bin] = v;
}

std::vector<uint64_t> MinHasher::signature(const std::vector<uint64_t> &shingles) const
{
    std::vector<uint64_t> sig(static_cast<std::size_t>(m_k), kEmpty);
    if (shingles.empty())
        return sig;
    for (uint64_t s : shingles)
        add(sig, s);
    return densified(sig);
}

std::vector<uint64_t> MinHasher::signatureOfText(std::string_view text, const ShingleOptions &options,
                                                 uint64_t shingleSeed, bool vectorised) const
{
#if defined(__x86_64__)
    const auto width = static_cast<std::size_t>(std::max(1, options.size));
    if (vectorised && !options.words && text.size() >= width + 8 && hasAvx512dq() && isAscii(text)) {
        // ASCII: a code point per byte, so a shingle is `width` bytes.
        std::vector<uint64_t> sig(static_cast<std::size_t>(m_k), kEmpty);
        const std::size_t count = text.size() - width + 1;
        const uint64_t fnvStart = 0xcbf29ce484222325ULL ^ mix64(shingleSeed);  // hash64's
        std::size_t done = asciiShinglesAvx512(text.data(), count, static_cast<int>(width), fnvStart, m_seed,
                                               static_cast<uint32_t>(m_k), sig.data());
        for (; done < count; ++done)
            add(sig, hash64(text.substr(done, width), shingleSeed));
        return densified(sig);
    }
#endif
    (void)vectorised;
    return signature(shingleHashes(text, options, shingleSeed));
}

std::vector<uint64_t> MinHasher::densified(const std::vector<uint64_t> &sig) const
{
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
