// Exact match and token F1 as the SQuAD v1.1 evaluation script (evaluate-v1.1.py) defines them:
//   normalize_answer = white_space_fix(remove_articles(remove_punc(lower(s))))
// and a Chinese variant (the words split into single CJK characters, Unicode punctuation removed).
#include "eval/evaltext.h"
#include "ft/evalmetrics.h"

#include <map>

namespace ft {

namespace {

bool isAsciiPunctuation(char32_t cp)  // Python's string.punctuation
{
    return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) ||
           (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7E);
}

// re.sub(r'\b(a|an|the)\b', ' ', text): a whole run of \w characters equal to an article.
std::u32string removeArticles(const std::u32string &text)
{
    std::u32string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!eval::pyIsWordChar(text[i])) {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && eval::pyIsWordChar(text[end]))
            ++end;
        const std::u32string word = text.substr(i, end - i);
        if (word == U"a" || word == U"an" || word == U"the")
            out.push_back(U' ');
        else
            out += word;
        i = end;
    }
    return out;
}

std::vector<std::u32string> normalizedWords(const std::string &text, TextLanguage language)
{
    std::u32string s = eval::pyLower(eval::toCodePoints(text));
    std::u32string kept;
    for (const char32_t cp : s) {
        const bool punct = language == TextLanguage::Chinese
                               ? isAsciiPunctuation(cp) || eval::isUnicodePunctuation(cp)
                               : isAsciiPunctuation(cp);
        if (!punct)
            kept.push_back(cp);
    }
    const std::vector<std::u32string> words = eval::pySplit(removeArticles(kept));
    if (language == TextLanguage::English)
        return words;
    std::vector<std::u32string> split;
    for (const std::u32string &word : words) {
        std::u32string run;
        for (const char32_t cp : word) {
            if (!eval::isCjk(cp)) {
                run.push_back(cp);
                continue;
            }
            if (!run.empty())
                split.push_back(std::move(run));
            run.clear();
            split.push_back(std::u32string(1, cp));
        }
        if (!run.empty())
            split.push_back(std::move(run));
    }
    return split;
}

} // namespace

bool containsCjk(const std::string &text)
{
    for (const char32_t cp : eval::toCodePoints(text))
        if (eval::isCjk(cp))
            return true;
    return false;
}

std::string squadNormalize(const std::string &text)
{
    std::u32string joined;
    for (const std::u32string &word : normalizedWords(text, TextLanguage::English)) {
        if (!joined.empty())
            joined.push_back(U' ');
        joined += word;
    }
    return eval::toUtf8(joined);
}

double exactMatch(const std::string &prediction, const std::string &reference)
{
    return squadNormalize(prediction) == squadNormalize(reference) ? 1.0 : 0.0;
}

double tokenF1(const std::string &prediction, const std::string &reference, TextLanguage language)
{
    const auto predicted = normalizedWords(prediction, language);
    const auto expected = normalizedWords(reference, language);
    std::map<std::u32string, int64_t> counts;
    for (const auto &w : expected)
        ++counts[w];
    int64_t same = 0;  // sum of (Counter(pred) & Counter(ref)).values()
    for (const auto &w : predicted) {
        auto it = counts.find(w);
        if (it != counts.end() && it->second > 0) {
            --it->second;
            ++same;
        }
    }
    if (same == 0)
        return 0.0;
    const double precision = 1.0 * same / predicted.size();
    const double recall = 1.0 * same / expected.size();
    return (2 * precision * recall) / (precision + recall);
}

} // namespace ft
