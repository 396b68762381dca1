// What the review's checks share: the rows with their prepared text, where findings go, and one
// function per check (each in its own file). Internal to core/src/review.
#pragma once

#include "ft/review.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ft::review {

struct PreparedRow
{
    const ReviewRow *row = nullptr;
    // normaliseForMatching() of the user turns and of the assistant turns, each joined by "\n".
    std::string prompt, response;
    // Identity of the whole normalised conversation in turn order (roles kept): equal keys are
    // exact duplicates (128 bits: collisions are not a practical concern). hasText: any user or
    // assistant content at all.
    std::pair<uint64_t, uint64_t> key{0, 0};
    bool hasText = false;
    std::size_t promptChars = 0, responseChars = 0;  // code points of the original text
};

struct ReviewContext
{
    const std::vector<ReviewRow> &rows;
    const ReviewOptions &options;
    std::vector<PreparedRow> prepared;
    std::vector<ReviewFinding> findings;
    nlohmann::json report = nlohmann::json::object();

    // Duplicate structure shared by duplicates, near duplicates and leakage (row indices).
    std::vector<int> exactGroup;   // per row: index of its exact-duplicate group
    std::vector<int> cluster;      // per row: near-duplicate cluster (includes exact groups)
    std::vector<int64_t> tokenCounts;

    void add(std::size_t rowIndex, const char *kind, Severity severity, std::string message,
             nlohmann::json detail = nlohmann::json::object());
    void checkCancel() const;
};

void checkExactDuplicates(ReviewContext &ctx);
void checkNearDuplicates(ReviewContext &ctx);   // after checkExactDuplicates
void checkSplitLeakage(ReviewContext &ctx);     // after checkNearDuplicates
void checkEmptyFields(ReviewContext &ctx);
void checkTurns(ReviewContext &ctx);
void checkLengthOutliers(ReviewContext &ctx);
void checkTokenLengths(ReviewContext &ctx);
void checkRepeatsPrompt(ReviewContext &ctx);
void checkEncoding(ReviewContext &ctx);         // mojibake and control characters
void checkScriptMix(ReviewContext &ctx);
void checkPersonalData(ReviewContext &ctx);
void computeDiversity(ReviewContext &ctx);
void summariseDocuments(ReviewContext &ctx);    // plain-text datasets only; after the token lengths
void computeScore(ReviewContext &ctx);          // last: reads the report and the findings

} // namespace ft::review
