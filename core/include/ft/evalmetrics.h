// Domain-test metrics: a model's answer (prediction) scored against a reference answer. Each
// metric equals a published reference implementation (docs/evaluation-metrics.md says which, and
// tests/interop/test_eval_metrics.py checks it). Texts are UTF-8. Torch-free, Qt-free.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ft {

// How texts are cut into words. English: words as each reference defines them. Chinese: every
// CJK character (Han, kana, Hangul) is a word of its own, other text as in English.
enum class TextLanguage { English, Chinese };

// True when the text holds a CJK character (what --lang auto looks for).
bool containsCjk(const std::string &text);

// SQuAD v1.1 (evaluate-v1.1.py): lower case, ASCII punctuation removed, the articles a/an/the
// removed, white space collapsed.
std::string squadNormalize(const std::string &text);
// 1 when both normalise to the same string, else 0 (SQuAD v1.1 exact_match_score).
double exactMatch(const std::string &prediction, const std::string &reference);
// Token F1 (SQuAD v1.1 f1_score: bag-of-words overlap; 0 when either side has no word).
// Chinese: the normalised text's words are split further into single CJK characters, and
// Unicode punctuation (not only ASCII) is removed first.
double tokenF1(const std::string &prediction, const std::string &reference,
               TextLanguage language = TextLanguage::English);

struct RougeScore
{
    double precision = 0;
    double recall = 0;
    double fmeasure = 0;
};
// ROUGE-L as rouge_score.RougeScorer(['rougeL']) computes it (no stemming). English: its default
// tokenizer (lower case, runs of [a-z0-9]; all other characters, Chinese too, dropped). Chinese:
// the same runs plus every CJK character as a token.
RougeScore rougeL(const std::string &prediction, const std::string &reference,
                  TextLanguage language = TextLanguage::English);
std::vector<std::string> rougeTokens(const std::string &text, TextLanguage language);

// BLEU as sacrebleu 2.x computes it: one reference per segment, tokenize '13a' (English) or
// 'zh' (Chinese), smoothing 'exp', n-grams up to 4, case-sensitive.
enum class BleuTokenizer { Mteval13a, Chinese };
constexpr int kBleuMaxOrder = 4;

// A segment's sufficient statistics; a corpus's are the sums of its segments'.
struct BleuStats
{
    int64_t hypothesisLength = 0;
    int64_t referenceLength = 0;
    std::array<int64_t, kBleuMaxOrder> matches{};  // clipped n-gram matches, n = 1..4
    std::array<int64_t, kBleuMaxOrder> totals{};   // hypothesis n-grams, n = 1..4
    BleuStats &operator+=(const BleuStats &other);
};

struct BleuScore
{
    double score = 0;  // 0..100, as sacrebleu prints it
    double brevityPenalty = 0;
    std::array<double, kBleuMaxOrder> precisions{};  // percent
    BleuStats stats;
};

std::string bleuTokenize(const std::string &text, BleuTokenizer tokenizer);
BleuStats bleuSegmentStats(const std::string &hypothesis, const std::string &reference,
                           BleuTokenizer tokenizer);
// sacrebleu's BLEU.compute_bleu with smooth_method='exp'. effectiveOrder: leave out orders
// with no hypothesis n-grams (sacrebleu's effective_order=True, what sentence BLEU wants).
BleuScore computeBleu(const BleuStats &stats, bool effectiveOrder);
// sacrebleu.corpus_bleu(hypotheses, [references]) with default settings.
BleuScore corpusBleu(const std::vector<std::string> &hypotheses,
                     const std::vector<std::string> &references, BleuTokenizer tokenizer);
// BLEU(effective_order=True).sentence_score(hypothesis, [reference]).
BleuScore sentenceBleu(const std::string &hypothesis, const std::string &reference,
                       BleuTokenizer tokenizer);

// Classification: the answer is one of a set of labels. Predictions and references are
// compared after squadNormalize; a prediction that is none of the labels counts as kOtherLabel.
inline constexpr const char *kOtherLabel = "(other)";

class LabelAccuracy
{
public:
    // labels: as the user wrote them (shown in the table); must be distinct after normalising.
    explicit LabelAccuracy(std::vector<std::string> labels);
    // The label a text names, or -1 when none (shown as kOtherLabel).
    int labelOf(const std::string &text) const;
    // Adds one row; returns 1 when correct. The reference must be one of the labels (else -1
    // is returned and nothing is counted: the caller reports the row).
    int add(const std::string &prediction, const std::string &reference);

    const std::vector<std::string> &labels() const { return m_labels; }
    int64_t rows() const { return m_rows; }
    double accuracy() const;
    // confusion()[reference][predicted], predicted index labels().size() is kOtherLabel.
    const std::vector<std::vector<int64_t>> &confusion() const { return m_confusion; }

private:
    std::vector<std::string> m_labels;
    std::vector<std::string> m_normalized;
    std::vector<std::vector<int64_t>> m_confusion;
    int64_t m_rows = 0;
    int64_t m_correct = 0;
};

// A user's per-row check of the prediction alone: contains:TEXT (case-sensitive substring),
// regex:RE (PCRE2, UTF, searched anywhere, bounded by match limits), json (the whole answer,
// trimmed, is one JSON value).
class RowCheck
{
public:
    // spec: "contains:TEXT", "regex:RE" or "json"; a bad spec or pattern throws BadInput.
    explicit RowCheck(const std::string &spec);
    ~RowCheck();
    RowCheck(RowCheck &&) noexcept;
    RowCheck &operator=(RowCheck &&) noexcept;

    enum class Outcome { Pass, Fail, LimitReached };
    Outcome check(const std::string &prediction) const;
    const std::string &spec() const { return m_spec; }

private:
    struct Regex;
    std::string m_spec;
    std::string m_text;
    std::unique_ptr<Regex> m_regex;
};

} // namespace ft
