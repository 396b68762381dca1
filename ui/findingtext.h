// The quality review in words a domain expert reads: each finding kind's plain name (the
// identifiers such as too_long stay in the project file and the CLI) and what it means, with
// the thresholds of this review stated as figures; each score factor as a sentence.
#pragma once

#include <nlohmann/json.hpp>

#include <QString>

namespace ftui {

// "Much longer than most rows" for too_long; "Personal data: e-mail" for pii:email. Unknown
// kinds come back as they are.
QString findingName(const QString &kind);
// What the finding means and when a row gets it, with this review's figures from `report`
// (ft::reviewDataset's report; may be empty).
QString findingExplanation(const QString &kind, const nlohmann::json &report);
// One score factor of report["score"]["factors"] as a sentence ("3.0 % of the rows are exact or
// near duplicates: 3.0 points off (1 per percent of the rows, at most 25)").
QString factorSentence(const nlohmann::json &factor);

} // namespace ftui
