// Wilson interval, exact sign test and a seeded paired bootstrap (ft/evalstats.h).
#include "ft/evalstats.h"

#include "ft/error.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace ft {

namespace {

// scipy.stats.norm.isf(0.025): the two-sided 95 % normal quantile.
constexpr double kZ95 = 1.959963984540054;

// P(X <= k) for X ~ Binomial(n, 1/2), summed in log space from exact log-binomials.
double binomialHalfCdf(int64_t k, int64_t n)
{
    if (k < 0)
        return 0.0;
    if (k >= n)
        return 1.0;
    const double logHalfN = -double(n) * std::log(2.0);
    const double lgN = std::lgamma(double(n) + 1);
    // Terms rise towards k (k < n/2 here), so add from the largest down with a running scale.
    double sum = 0;
    const double logTop = lgN - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1);
    for (int64_t i = k; i >= 0; --i) {
        const double logTerm = lgN - std::lgamma(double(i) + 1) - std::lgamma(double(n - i) + 1);
        const double ratio = std::exp(logTerm - logTop);
        sum += ratio;
        if (ratio < 1e-18 * sum)
            break;
    }
    return std::exp(logTop + logHalfN) * sum;
}

} // namespace

Interval wilsonInterval(int64_t successes, int64_t trials)
{
    if (trials <= 0)
        return {0.0, 1.0};
    if (successes < 0 || successes > trials)
        throwBadInput("Wilson interval: " + std::to_string(successes) + " successes out of " +
                      std::to_string(trials) + " trials");
    // statsmodels proportion_confint(method='wilson'), term for term.
    const double nobs = double(trials);
    const double q = double(successes) / nobs;
    const double crit2 = kZ95 * kZ95;
    const double denom = 1 + crit2 / nobs;
    const double center = (q + crit2 / (2 * nobs)) / denom;
    double dist = kZ95 * std::sqrt(q * (1. - q) / nobs + crit2 / (4. * nobs * nobs));
    dist /= denom;
    return {std::clamp(center - dist, 0.0, 1.0), std::clamp(center + dist, 0.0, 1.0)};
}

double signTestPValue(int64_t wins, int64_t losses)
{
    if (wins < 0 || losses < 0)
        throwBadInput("sign test: negative counts");
    const int64_t n = wins + losses;
    if (n == 0 || wins * 2 == n)
        return 1.0;
    // With p = 1/2 the distribution is symmetric: both tails as far out as the observed count.
    return std::min(1.0, 2.0 * binomialHalfCdf(std::min(wins, losses), n));
}

const char *verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::FirstBetter:
        return "tuned better";
    case Verdict::SecondBetter:
        return "base better";
    case Verdict::NotEnoughEvidence:
        break;
    }
    return "not enough votes to tell";
}

WinRate winRate(int64_t wins, int64_t losses, int64_t ties)
{
    if (wins < 0 || losses < 0 || ties < 0)
        throwBadInput("win rate: wins, losses and ties must not be negative");
    WinRate w;
    w.wins = wins;
    w.losses = losses;
    w.ties = ties;
    const int64_t decided = wins + losses;
    w.rate = decided == 0 ? 0.5 : double(wins) / double(decided);
    w.interval = wilsonInterval(wins, decided);
    w.signTestP = signTestPValue(wins, losses);
    const bool straddles = w.interval.low <= 0.5 && w.interval.high >= 0.5;
    if (decided > 0 && !straddles && w.signTestP < 0.05)
        w.verdict = w.rate > 0.5 ? Verdict::FirstBetter : Verdict::SecondBetter;
    return w;
}

double percentileLinear(std::vector<double> values, double q)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const double position = q / 100.0 * double(values.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, values.size() - 1);
    const double fraction = position - double(below);
    return values[below] + (values[above] - values[below]) * fraction;
}

BootstrapResult pairedBootstrap(std::size_t items,
                                const std::function<double(const std::vector<std::size_t> &)>
                                    &statistic,
                                const BootstrapOptions &options)
{
    if (options.resamples < 1 || options.confidence <= 0 || options.confidence >= 1)
        throwBadInput("bootstrap: resamples must be >= 1 and confidence in (0, 1)");
    BootstrapResult out;
    std::vector<std::size_t> indices(items);
    for (std::size_t i = 0; i < items; ++i)
        indices[i] = i;
    out.estimate = statistic(indices);
    out.resamples = options.resamples;
    if (items == 0) {
        out.interval = {out.estimate, out.estimate};
        return out;
    }
    std::mt19937_64 rng(options.seed);
    std::vector<double> values;
    values.reserve(options.resamples);
    for (int r = 0; r < options.resamples; ++r) {
        // rng() % n, not uniform_int_distribution: the same draws with every standard library.
        for (std::size_t i = 0; i < items; ++i)
            indices[i] = static_cast<std::size_t>(rng() % items);
        values.push_back(statistic(indices));
    }
    const double tail = (1 - options.confidence) / 2 * 100;
    out.interval = {percentileLinear(values, tail), percentileLinear(values, 100 - tail)};
    if (out.interval.low > 0)
        out.verdict = Verdict::FirstBetter;
    else if (out.interval.high < 0)
        out.verdict = Verdict::SecondBetter;
    return out;
}

BootstrapResult bootstrapMeanDifference(const std::vector<double> &first,
                                        const std::vector<double> &second,
                                        const BootstrapOptions &options)
{
    if (first.size() != second.size())
        throwBadInput("bootstrap: " + std::to_string(first.size()) + " and " +
                      std::to_string(second.size()) + " scores are not paired");
    std::vector<double> differences(first.size());
    for (std::size_t i = 0; i < first.size(); ++i)
        differences[i] = first[i] - second[i];
    return pairedBootstrap(
        differences.size(),
        [&differences](const std::vector<std::size_t> &indices) {
            double sum = 0;
            for (const std::size_t i : indices)
                sum += differences[i];
            return indices.empty() ? 0.0 : sum / double(indices.size());
        },
        options);
}

} // namespace ft
