// BLEU as sacrebleu 2.x computes it (sacrebleu/metrics/bleu.py): per-segment clipped n-gram
// matches and totals, summed over the corpus, then compute_bleu with smooth_method='exp'.
#include "eval/evaltext.h"
#include "ft/error.h"
#include "ft/evalmetrics.h"

#include <cmath>
#include <unordered_map>

namespace ft {

namespace {

using NgramCounts = std::unordered_map<std::u32string, int64_t>;

// extract_all_word_ngrams: counts of n-grams n = 1..4 (tokens never hold a space, so an n-gram
// joined by spaces is unambiguous and its order is its number of spaces + 1).
NgramCounts ngrams(const std::vector<std::u32string> &tokens)
{
    NgramCounts counts;
    for (int n = 1; n <= kBleuMaxOrder; ++n) {
        for (std::size_t i = 0; i + n <= tokens.size(); ++i) {
            std::u32string key = tokens[i];
            for (int k = 1; k < n; ++k) {
                key.push_back(U' ');
                key += tokens[i + k];
            }
            ++counts[key];
        }
    }
    return counts;
}

int orderOf(const std::u32string &ngram)
{
    int spaces = 0;
    for (const char32_t c : ngram)
        spaces += c == U' ';
    return spaces + 1;
}

// sacrebleu.utils.my_log
double flooredLog(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

} // namespace

BleuStats &BleuStats::operator+=(const BleuStats &other)
{
    hypothesisLength += other.hypothesisLength;
    referenceLength += other.referenceLength;
    for (int n = 0; n < kBleuMaxOrder; ++n) {
        matches[n] += other.matches[n];
        totals[n] += other.totals[n];
    }
    return *this;
}

BleuStats bleuSegmentStats(const std::string &hypothesis, const std::string &reference,
                           BleuTokenizer tokenizer)
{
    const auto hyp = eval::pySplit(eval::toCodePoints(bleuTokenize(hypothesis, tokenizer)));
    const auto ref = eval::pySplit(eval::toCodePoints(bleuTokenize(reference, tokenizer)));
    const NgramCounts refCounts = ngrams(ref);
    BleuStats s;
    s.hypothesisLength = static_cast<int64_t>(hyp.size());
    s.referenceLength = static_cast<int64_t>(ref.size());
    for (const auto &[ngram, count] : ngrams(hyp)) {
        const int n = orderOf(ngram) - 1;
        s.totals[n] += count;
        const auto it = refCounts.find(ngram);
        if (it != refCounts.end())
            s.matches[n] += std::min(count, it->second);
    }
    return s;
}

BleuScore computeBleu(const BleuStats &stats, bool effectiveOrder)
{
    BleuScore out;
    out.stats = stats;
    const double sysLen = double(stats.hypothesisLength);
    const double refLen = double(stats.referenceLength);
    out.brevityPenalty = 1.0;
    if (sysLen < refLen)
        out.brevityPenalty = sysLen > 0 ? std::exp(1 - refLen / sysLen) : 0.0;
    bool anyMatch = false;
    for (const int64_t m : stats.matches)
        anyMatch = anyMatch || m != 0;
    if (!anyMatch)
        return out;
    double smooth = 1.0;
    int order = kBleuMaxOrder;
    for (int n = 1; n <= kBleuMaxOrder; ++n) {
        const int64_t total = stats.totals[n - 1];
        const int64_t correct = stats.matches[n - 1];
        if (total == 0)
            break;
        if (effectiveOrder)
            order = n;
        if (correct == 0) {
            smooth *= 2;
            out.precisions[n - 1] = 100. / (smooth * double(total));
        } else {
            out.precisions[n - 1] = 100. * double(correct) / double(total);
        }
    }
    double logSum = 0;
    for (int n = 0; n < order; ++n)
        logSum += flooredLog(out.precisions[n]);
    out.score = out.brevityPenalty * std::exp(logSum / order);
    return out;
}

BleuScore corpusBleu(const std::vector<std::string> &hypotheses,
                     const std::vector<std::string> &references, BleuTokenizer tokenizer)
{
    if (hypotheses.size() != references.size())
        throwBadInput("BLEU: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                      std::to_string(references.size()) + " references");
    BleuStats total;
    for (std::size_t i = 0; i < hypotheses.size(); ++i)
        total += bleuSegmentStats(hypotheses[i], references[i], tokenizer);
    return computeBleu(total, false);
}

BleuScore sentenceBleu(const std::string &hypothesis, const std::string &reference,
                       BleuTokenizer tokenizer)
{
    return computeBleu(bleuSegmentStats(hypothesis, reference, tokenizer), true);
}

} // namespace ft
