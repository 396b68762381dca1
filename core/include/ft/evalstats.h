// Statistics for comparing two systems honestly: how sure a win rate is (Wilson interval, exact
// sign test) and how sure a difference of mean scores is (seeded paired bootstrap). Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ft {

struct Interval
{
    double low = 0;
    double high = 0;
};

// Wilson score interval at 95 % for successes out of trials, as
// statsmodels.stats.proportion.proportion_confint(method='wilson') gives it (clipped to 0..1).
// trials == 0 gives [0, 1].
Interval wilsonInterval(int64_t successes, int64_t trials);

// Two-sided exact sign test (binomial, p = 0.5) of wins against losses, ties left out:
// scipy.stats.binomtest(wins, wins + losses).pvalue. No votes gives 1.
double signTestPValue(int64_t wins, int64_t losses);

enum class Verdict { FirstBetter, SecondBetter, NotEnoughEvidence };
// "tuned better", "base better", "not enough votes to tell"
const char *verdictName(Verdict verdict);

struct WinRate
{
    int64_t wins = 0;
    int64_t losses = 0;
    int64_t ties = 0;
    int64_t total() const { return wins + losses + ties; }
    double rate = 0;          // wins / (wins + losses); 0.5 when there are none
    Interval interval;        // Wilson 95 % of the rate
    double signTestP = 1;
    // NotEnoughEvidence when the interval holds 0.5 or p >= 0.05.
    Verdict verdict = Verdict::NotEnoughEvidence;
};
WinRate winRate(int64_t wins, int64_t losses, int64_t ties);

struct BootstrapOptions
{
    int resamples = 1000;
    uint64_t seed = 20240521;
    double confidence = 0.95;
};

struct BootstrapResult
{
    double estimate = 0;     // the statistic on the items as they are
    Interval interval;       // percentile interval (numpy's linear interpolation)
    // Items resampled with replacement, index = mt19937_64() % n, `resamples` times.
    int resamples = 0;
    // NotEnoughEvidence when the interval holds 0; FirstBetter when it lies above 0.
    Verdict verdict = Verdict::NotEnoughEvidence;
};

// Paired bootstrap over n items: statistic(indices) computes the quantity on a resample (indices
// may repeat). Deterministic for a seed.
BootstrapResult pairedBootstrap(std::size_t items,
                                const std::function<double(const std::vector<std::size_t> &)>
                                    &statistic,
                                const BootstrapOptions &options = {});
// mean(first) - mean(second) over paired items.
BootstrapResult bootstrapMeanDifference(const std::vector<double> &first,
                                        const std::vector<double> &second,
                                        const BootstrapOptions &options = {});

// numpy.percentile(values, q) with the default linear interpolation; values need not be sorted.
double percentileLinear(std::vector<double> values, double q);

} // namespace ft
