// ROUGE-L as Google's rouge_score computes it (rouge_scorer._score_lcs over
// tokenize.tokenize): lower case, every character outside [a-z0-9] a separator, tokens the runs
// left; precision = LCS / prediction tokens, recall = LCS / reference tokens, F = harmonic mean.
#include "eval/evaltext.h"
#include "ft/error.h"
#include "ft/evalmetrics.h"

#include <algorithm>

namespace ft {

namespace {

// Two token lists this long already take a few seconds; longer ones are surely not answers.
constexpr double kMaxLcsCells = 4e8;

bool isAsciiAlnum(char32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
}

std::vector<std::u32string> tokens(const std::string &text, TextLanguage language)
{
    const std::u32string lowered = eval::pyLower(eval::toCodePoints(text));
    std::vector<std::u32string> out;
    std::u32string run;
    for (const char32_t cp : lowered) {
        if (isAsciiAlnum(cp)) {
            run.push_back(cp);
            continue;
        }
        if (!run.empty())
            out.push_back(std::move(run));
        run.clear();
        if (language == TextLanguage::Chinese && eval::isCjk(cp))
            out.push_back(std::u32string(1, cp));
    }
    if (!run.empty())
        out.push_back(std::move(run));
    return out;
}

int64_t lcsLength(const std::vector<std::u32string> &a, const std::vector<std::u32string> &b)
{
    std::vector<int64_t> previous(b.size() + 1, 0), current(b.size() + 1, 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j)
            current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1
                                              : std::max(previous[j], current[j - 1]);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

} // namespace

std::vector<std::string> rougeTokens(const std::string &text, TextLanguage language)
{
    std::vector<std::string> out;
    for (const auto &t : tokens(text, language))
        out.push_back(eval::toUtf8(t));
    return out;
}

RougeScore rougeL(const std::string &prediction, const std::string &reference,
                  TextLanguage language)
{
    const auto predicted = tokens(prediction, language);
    const auto expected = tokens(reference, language);
    if (predicted.empty() || expected.empty())
        return {};
    if (double(predicted.size()) * double(expected.size()) > kMaxLcsCells)
        throwBadInput("ROUGE-L: texts of " + std::to_string(predicted.size()) + " and " +
                      std::to_string(expected.size()) + " tokens are too long to compare");
    const int64_t lcs = lcsLength(expected, predicted);
    RougeScore s;
    s.precision = double(lcs) / predicted.size();
    s.recall = double(lcs) / expected.size();
    s.fmeasure = s.precision + s.recall > 0
                     ? 2 * s.precision * s.recall / (s.precision + s.recall)
                     : 0.0;
    return s;
}

} // namespace ft
