// The document-level part of a review (report["documents"], plain-text datasets for continued
// pre-training) as a short rich-text paragraph: documents, tokens, duplicates, language mix and
// the boilerplate lines repeated across documents.
#pragma once

#include <nlohmann/json.hpp>

#include <QString>

namespace ftui {

// "" when the report has no document summary.
QString documentSummaryHtml(const nlohmann::json &report);

} // namespace ftui
