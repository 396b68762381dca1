// What the review's checks share. The rows are read a chunk at a time (ChunkContext: the rows in
// hand and their normalised text); across the dataset only small per-row facts, hashes and counts
// are kept (ReviewContext), and the few rows a check compares or quotes are read back by index.
// One function (or one streaming check) per kind, each in its own file. Internal to core/src/review.
#pragma once

#include "ft/review.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
    // splitWords() of prompt and response, split once for every check that reads words. Views
    // into the two strings: made by splitPreparedWords where the row stays (a moved std::string
    // may move its characters).
    std::vector<std::string_view> promptWords, responseWords;
};

PreparedRow prepareRow(const ReviewRow &row);  // without the words
void splitPreparedWords(PreparedRow &row);

// What is kept of every row for the whole review (~40 bytes with its id and split).
struct RowFacts
{
    std::pair<uint64_t, uint64_t> key{0, 0};
    uint32_t promptChars = 0, responseChars = 0;
    bool hasText = false;
};

// Consecutive rows in hand with their prepared text. Findings and report counts made here are
// merged into the dataset's (the counts summed).
struct ChunkContext
{
    ChunkContext(const std::vector<ReviewRow> &chunkRows, const ReviewOptions &o, std::size_t first = 0)
        : rows(chunkRows), options(o), base(first)
    {
    }

    const std::vector<ReviewRow> &rows;
    const ReviewOptions &options;
    std::size_t base = 0;  // dataset index of rows[0]
    std::vector<PreparedRow> prepared;
    std::vector<ReviewFinding> findings;
    nlohmann::json report = nlohmann::json::object();

    void add(std::size_t rowIndex, const char *kind, Severity severity, std::string message,
             nlohmann::json detail = nlohmann::json::object());
    void checkCancel() const;
};

struct ReviewContext
{
    ReviewContext(const ReviewRowSource &rowSource, const ReviewOptions &o) : source(rowSource), options(o) {}

    const ReviewRowSource &source;
    const ReviewOptions &options;
    std::size_t rowCount = 0;
    std::vector<int64_t> rowIds;
    std::vector<RowFacts> facts;
    std::vector<uint16_t> splitOf;        // index into splitNames; splitNames[0] is ""
    std::vector<std::string> splitNames{std::string()};
    bool allPlainText = true;
    std::vector<ReviewFinding> findings;
    nlohmann::json report = nlohmann::json::object();

    // Duplicate structure shared by duplicates, near duplicates and leakage (row indices).
    std::vector<int> exactGroup;   // per row: index of its exact-duplicate group (its first row)
    std::vector<int> cluster;      // per row: near-duplicate cluster (includes exact groups)
    std::vector<int64_t> tokenCounts;

    const std::string &split(std::size_t i) const { return splitNames[splitOf[i]]; }
    void add(std::size_t rowIndex, const char *kind, Severity severity, std::string message,
             nlohmann::json detail = nlohmann::json::object());
    void checkCancel() const;
};

// A check that sees every chunk in row order, then finishes over the whole dataset.
class StreamingCheck
{
public:
    virtual ~StreamingCheck() = default;
    virtual void feed(ChunkContext &chunk, ReviewContext &ctx) = 0;
    virtual void finish(ReviewContext &ctx) = 0;
};

// Per row, on a chunk (findings and "rows_flagged"-style counts only).
void checkEmptyFields(ChunkContext &ctx);
void checkTurns(ChunkContext &ctx);
void checkRepeatsPrompt(ChunkContext &ctx);
void checkEncoding(ChunkContext &ctx);         // mojibake and control characters
void checkPersonalData(ChunkContext &ctx);

// Fed chunk by chunk, finished over the dataset.
std::unique_ptr<StreamingCheck> nearDuplicateCheck(const ReviewOptions &o);  // finishes after exact duplicates
std::unique_ptr<StreamingCheck> tokenLengthCheck(const ReviewOptions &o);    // also flags truncated rows
std::unique_ptr<StreamingCheck> scriptMixCheck();
std::unique_ptr<StreamingCheck> diversityFigures(std::size_t rowCount);
std::unique_ptr<StreamingCheck> documentSummary();  // plain-text datasets only; after the token lengths

// Over the whole dataset's facts.
void checkExactDuplicates(ReviewContext &ctx);  // exactGroup is filled while the chunks are read
void checkSplitLeakage(ReviewContext &ctx);     // after the near duplicates
void checkLengthOutliers(ReviewContext &ctx);
void computeScore(ReviewContext &ctx);          // last: reads the report and the findings

} // namespace ft::review
