// Scoring a file of model answers against reference answers (a domain test): the metrics of
// ft/evalmetrics.h per row and over the file, and, when each row also holds the base model's
// answer, the difference tuned - base with a paired bootstrap interval and per-row wins/losses
// with a sign test (ft/evalstats.h). What `finetune-cli score` and the Evaluate page show.
#pragma once

#include "ft/evalstats.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

struct PredictionRow
{
    int64_t line = 0;  // 1-based line in the file, for messages
    std::string prediction;
    std::string reference;
    bool hasBase = false;
    std::string basePrediction;
};

// JSON Lines, one {"prediction": str, "reference": str[, "base_prediction": str]} per line;
// blank lines skipped. A bad line throws BadInput naming FILE:LINE and the field.
std::vector<PredictionRow> readPredictionRows(const std::string &path);

enum class LanguageChoice { Auto, English, Chinese };

struct DomainScoreOptions
{
    // em, f1, rouge_l, bleu, accuracy
    std::vector<std::string> metrics{"em", "f1", "rouge_l", "bleu"};
    // Accuracy's label set; empty: the distinct references in order of appearance.
    std::vector<std::string> labels;
    // contains:TEXT, regex:RE, json (ft::RowCheck)
    std::vector<std::string> checks;
    // Auto: Chinese when any reference holds a CJK character, else English (one choice for the
    // whole file, so that corpus BLEU has one tokenizer).
    LanguageChoice language = LanguageChoice::Auto;
    BootstrapOptions bootstrap;
};

// The report: {"rows": [...per row...], "metrics": {...}, "checks": [...], ...}
// (docs/evaluation-metrics.md describes each field). source names the file in messages.
nlohmann::json scoreDomain(const std::vector<PredictionRow> &rows,
                           const DomainScoreOptions &options, const std::string &source);

} // namespace ft
