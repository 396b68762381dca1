// A domain test's report: per-row metrics for the tuned answers (and the base model's, when
// given), their means, corpus BLEU, accuracy with its confusion table, the user's checks, and
// for two systems the paired bootstrap of the difference plus wins/losses with a sign test.
#include "ft/domainscore.h"

#include "ft/error.h"
#include "ft/evalmetrics.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

namespace ft {

namespace {

using nlohmann::json;

const std::vector<std::string> kMetricNames{"em", "f1", "rouge_l", "bleu", "accuracy"};

struct Scores  // one system's per-row scores, by metric name
{
    std::map<std::string, std::vector<double>> perRow;
    std::vector<BleuStats> bleuStats;
    std::vector<std::vector<RowCheck::Outcome>> checks;  // [check][row]
    std::vector<int> labels;                              // predicted label per row, -1 other
};

struct Setup
{
    std::set<std::string> metrics;
    TextLanguage language = TextLanguage::English;
    BleuTokenizer tokenizer = BleuTokenizer::Mteval13a;
    std::vector<RowCheck> checks;
    std::vector<std::string> labels;
};

Setup makeSetup(const std::vector<PredictionRow> &rows, const DomainScoreOptions &options)
{
    Setup s;
    for (const std::string &m : options.metrics) {
        if (std::find(kMetricNames.begin(), kMetricNames.end(), m) == kMetricNames.end())
            throwBadInput("--metrics: '" + m + "' is not one of em, f1, rouge_l, bleu, accuracy");
        s.metrics.insert(m);
    }
    if (!options.labels.empty())
        s.metrics.insert("accuracy");
    bool chinese = options.language == LanguageChoice::Chinese;
    if (options.language == LanguageChoice::Auto)
        chinese = std::any_of(rows.begin(), rows.end(),
                              [](const PredictionRow &r) { return containsCjk(r.reference); });
    s.language = chinese ? TextLanguage::Chinese : TextLanguage::English;
    s.tokenizer = chinese ? BleuTokenizer::Chinese : BleuTokenizer::Mteval13a;
    for (const std::string &spec : options.checks)
        s.checks.emplace_back(spec);
    s.labels = options.labels;
    if (s.metrics.count("accuracy") && s.labels.empty()) {
        std::set<std::string> seen;
        for (const PredictionRow &r : rows)
            if (seen.insert(squadNormalize(r.reference)).second)
                s.labels.push_back(r.reference);
    }
    return s;
}

const char *outcomeName(RowCheck::Outcome o)
{
    return o == RowCheck::Outcome::Pass ? "pass"
           : o == RowCheck::Outcome::Fail ? "fail"
                                          : "limit reached";
}

// Scores one system; rowJson[i] (or its "base" object) receives the row's scores.
Scores scoreSystem(const std::vector<PredictionRow> &rows, bool base, const Setup &setup,
                   LabelAccuracy *accuracy, const std::string &source, json &rowJson)
{
    Scores s;
    s.checks.resize(setup.checks.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const PredictionRow &row = rows[i];
        const std::string &answer = base ? row.basePrediction : row.prediction;
        json one;
        const auto put = [&](const std::string &name, double value) {
            s.perRow[name].push_back(value);
            one[name] = value;
        };
        if (setup.metrics.count("em"))
            put("em", exactMatch(answer, row.reference));
        if (setup.metrics.count("f1"))
            put("f1", tokenF1(answer, row.reference, setup.language));
        if (setup.metrics.count("rouge_l"))
            put("rouge_l", rougeL(answer, row.reference, setup.language).fmeasure);
        if (setup.metrics.count("bleu")) {
            s.bleuStats.push_back(bleuSegmentStats(answer, row.reference, setup.tokenizer));
            put("bleu", computeBleu(s.bleuStats.back(), true).score);
        }
        if (accuracy) {
            const int correct = accuracy->add(answer, row.reference);
            if (correct < 0) {
                std::string names;
                for (const std::string &l : accuracy->labels())
                    names += (names.empty() ? "" : ", ") + l;
                throwBadInput(source + ":" + std::to_string(row.line) + ": reference '" +
                              row.reference + "' is not one of the labels " + names);
            }
            const int label = accuracy->labelOf(answer);
            s.labels.push_back(label);
            put("accuracy", correct);
            one["label"] = label < 0 ? std::string(kOtherLabel) : accuracy->labels()[label];
        }
        for (std::size_t c = 0; c < setup.checks.size(); ++c) {
            const RowCheck::Outcome o = setup.checks[c].check(answer);
            s.checks[c].push_back(o);
            one["checks"][setup.checks[c].spec()] = outcomeName(o);
        }
        if (base) {
            rowJson[i]["base"] = one;
        } else {
            one["line"] = row.line;
            rowJson.push_back(one);
        }
    }
    return s;
}

double mean(const std::vector<double> &v)
{
    double sum = 0;
    for (const double x : v)
        sum += x;
    return v.empty() ? 0.0 : sum / double(v.size());
}

json bootstrapJson(const BootstrapResult &b)
{
    return {{"estimate", b.estimate},
            {"low", b.interval.low},
            {"high", b.interval.high},
            {"resamples", b.resamples},
            {"verdict", verdictName(b.verdict)}};
}

// Per-row wins of tuned over base (ties: equal scores), with the sign test.
void addWins(json &out, const std::vector<double> &tuned, const std::vector<double> &base)
{
    int64_t wins = 0, losses = 0, ties = 0;
    for (std::size_t i = 0; i < tuned.size(); ++i) {
        if (tuned[i] > base[i])
            ++wins;
        else if (tuned[i] < base[i])
            ++losses;
        else
            ++ties;
    }
    const WinRate w = winRate(wins, losses, ties);
    out["wins"] = w.wins;
    out["losses"] = w.losses;
    out["ties"] = w.ties;
    out["win_rate"] = w.rate;
    out["wilson_low"] = w.interval.low;
    out["wilson_high"] = w.interval.high;
    out["sign_test_p"] = w.signTestP;
    out["win_verdict"] = verdictName(w.verdict);
}

BleuStats sumStats(const std::vector<BleuStats> &stats, const std::vector<std::size_t> &indices)
{
    BleuStats total;
    for (const std::size_t i : indices)
        total += stats[i];
    return total;
}

json bleuJson(const BleuScore &b)
{
    return {{"score", b.score},
            {"brevity_penalty", b.brevityPenalty},
            {"precisions", b.precisions},
            {"hyp_len", b.stats.hypothesisLength},
            {"ref_len", b.stats.referenceLength}};
}

json confusionJson(const LabelAccuracy &acc)
{
    json table = json::object();
    for (std::size_t r = 0; r < acc.labels().size(); ++r) {
        json row = json::object();
        for (std::size_t c = 0; c <= acc.labels().size(); ++c)
            row[c < acc.labels().size() ? acc.labels()[c] : std::string(kOtherLabel)] =
                acc.confusion()[r][c];
        table[acc.labels()[r]] = row;
    }
    return table;
}

} // namespace

json scoreDomain(const std::vector<PredictionRow> &rows, const DomainScoreOptions &options,
                 const std::string &source)
{
    const Setup setup = makeSetup(rows, options);
    const bool hasBase = !rows.empty() && rows.front().hasBase;
    const bool wantAccuracy = setup.metrics.count("accuracy") > 0;
    std::unique_ptr<LabelAccuracy> tunedAccuracy, baseAccuracy;
    if (wantAccuracy) {
        tunedAccuracy = std::make_unique<LabelAccuracy>(setup.labels);
        baseAccuracy = std::make_unique<LabelAccuracy>(setup.labels);
    }
    json rowJson = json::array();
    const Scores tuned = scoreSystem(rows, false, setup, tunedAccuracy.get(), source, rowJson);
    Scores base;
    if (hasBase)
        base = scoreSystem(rows, true, setup, baseAccuracy.get(), source, rowJson);

    json metrics = json::object();
    for (const std::string &name : kMetricNames) {
        if (!setup.metrics.count(name))
            continue;
        const std::vector<double> &t = tuned.perRow.at(name);
        json m;
        if (name == "bleu") {
            BleuStats all;
            for (const BleuStats &s : tuned.bleuStats)
                all += s;
            m = bleuJson(computeBleu(all, false));
            m["tokenizer"] = setup.tokenizer == BleuTokenizer::Chinese ? "zh" : "13a";
            m["sentence_mean"] = mean(t);
        } else {
            m["mean"] = mean(t);
        }
        if (hasBase) {
            const std::vector<double> &b = base.perRow.at(name);
            if (name == "bleu") {
                BleuStats all;
                for (const BleuStats &s : base.bleuStats)
                    all += s;
                m["base"] = bleuJson(computeBleu(all, false));
                m["base"]["sentence_mean"] = mean(b);
                // Corpus BLEU is not a mean: resample the segments' statistics.
                m["difference"] = bootstrapJson(pairedBootstrap(
                    rows.size(),
                    [&](const std::vector<std::size_t> &idx) {
                        return computeBleu(sumStats(tuned.bleuStats, idx), false).score -
                               computeBleu(sumStats(base.bleuStats, idx), false).score;
                    },
                    options.bootstrap));
            } else {
                m["base_mean"] = mean(b);
                m["difference"] = bootstrapJson(bootstrapMeanDifference(t, b, options.bootstrap));
            }
            addWins(m, t, b);
        }
        if (name == "accuracy") {
            m["labels"] = tunedAccuracy->labels();
            m["confusion"] = confusionJson(*tunedAccuracy);
            if (hasBase)
                m["base_confusion"] = confusionJson(*baseAccuracy);
        }
        metrics[name] = m;
    }

    json checks = json::array();
    for (std::size_t c = 0; c < setup.checks.size(); ++c) {
        const auto summarize = [&](const std::vector<RowCheck::Outcome> &outcomes) {
            int64_t passed = 0, limited = 0;
            for (const RowCheck::Outcome o : outcomes) {
                passed += o == RowCheck::Outcome::Pass;
                limited += o == RowCheck::Outcome::LimitReached;
            }
            return json{{"passed", passed},
                        {"limit_reached", limited},
                        {"pass_rate", outcomes.empty() ? 0.0 : double(passed) / outcomes.size()}};
        };
        json one = summarize(tuned.checks[c]);
        one["check"] = setup.checks[c].spec();
        if (hasBase)
            one["base"] = summarize(base.checks[c]);
        checks.push_back(one);
    }
    return {{"source", source},
            {"rows_scored", rows.size()},
            {"language", setup.language == TextLanguage::Chinese ? "zh" : "en"},
            {"has_base", hasBase},
            {"metrics", metrics},
            {"checks", checks},
            {"rows", rowJson}};
}

} // namespace ft
