// Dataset quality review: findings (flags) per row and a dataset report, never deletion.
// Torch-free. Checks, thresholds and the score's formula: docs/quality-review.md.
#pragma once

#include "ft/chattemplate.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ft {

class Tokenizer;

// One row of a dataset in its normalised conversation form.
struct ReviewRow
{
    int64_t rowId = 0;
    std::vector<ChatMessage> messages; // roles: system / user / assistant
    std::string split;                 // "train", "validation", ... (may be empty)
    std::string source;
    // Raw text for continued pre-training: one message whose content is the text; no turns to
    // check, and its token count is the text's own (no chat template).
    bool plainText = false;
};

enum class Severity { Info, Warning, Error };
const char *severityName(Severity s); // "info" | "warning" | "error"

// Finding kinds (the `kind` strings), one per check.
namespace finding {
inline constexpr const char *ExactDuplicate = "exact_duplicate";
inline constexpr const char *NearDuplicate = "near_duplicate";
inline constexpr const char *SplitLeakage = "split_leakage";
inline constexpr const char *EmptyField = "empty_field";
inline constexpr const char *TooShort = "too_short";
inline constexpr const char *TooLong = "too_long";
inline constexpr const char *Truncated = "truncated";
inline constexpr const char *RepeatsPrompt = "repeats_prompt";
inline constexpr const char *MalformedTurns = "malformed_turns";
inline constexpr const char *Mojibake = "mojibake";
inline constexpr const char *ControlCharacters = "control_characters";
inline constexpr const char *ScriptMix = "script_mix";
inline constexpr const char *PersonalData = "pii";
} // namespace finding
// Every kind above, in report order.
const std::vector<std::string> &findingKinds();

struct ReviewFinding
{
    int64_t rowId = 0;
    std::string kind;
    Severity severity = Severity::Warning;
    std::string message;  // for a person: what is wrong and where
    nlohmann::json detail = nlohmann::json::object();  // machine-readable (cluster, spans, ...)
};

struct ReviewOptions
{
    // Near duplicates: MinHash (one-permutation hashing, densified) over shingles of the
    // normalised conversation, LSH bands; candidate pairs kept when their estimated Jaccard
    // similarity is >= nearDuplicateThreshold.
    double nearDuplicateThreshold = 0.8;
    bool wordShingles = false;  // false: character shingles
    int shingleSize = 5;        // characters (or words)
    int numPermutations = 128;
    int bands = 0;              // 0: chosen for the threshold (datasketch's rule); must divide numPermutations
    uint64_t seed = 1;

    // Lengths: rows whose log-length robust z-score (0.6745 * (x - median) / MAD) is beyond
    // +-outlierZ are outliers; needs at least outlierMinRows rows.
    double outlierZ = 3.5;
    int outlierMinRows = 20;

    // Token lengths against the training cutoff. With a tokenizer: the conversation rendered with
    // `templateName` ("alpaca", "chatml", "llama3", "plain" or "model": the tokenizer's own) and
    // encoded as the trainer does (no added special tokens; Alpaca adds EOS). Without one the
    // counts are an estimate and the report says so.
    const Tokenizer *tokenizer = nullptr;
    std::string templateName = "alpaca";
    int64_t cutoffLen = 1024;

    // Progress (fraction 0..1 and the stage's name); the review throws
    // ft::Error(ErrorKind::Cancelled) soon after *cancel becomes true.
    std::function<void(double, const std::string &)> progress;
    const std::atomic<bool> *cancel = nullptr;
};

struct ReviewResult
{
    std::vector<ReviewFinding> findings;  // sorted by row id, then kind
    // The dataset report: counts per kind, duplicate clusters, length and token histograms,
    // script shares, PII counts, diversity and the score with its factors (see the docs).
    nlohmann::json report = nlohmann::json::object();
    // Per input row: its token count (exact with a tokenizer, else the estimate); -1 when the
    // template could not render it.
    std::vector<int64_t> tokenCounts;
};

// Where the review reads its rows: in order, a chunk at a time, and again by index for the few
// rows it compares or quotes (near-duplicate candidates, cluster previews, script-mix findings),
// so a million rows need not be held at once (docs/quality-review.md).
class ReviewRowSource
{
public:
    virtual ~ReviewRowSource() = default;
    virtual std::size_t size() const = 0;
    // Rows [begin, begin + count) in order, replacing `out`'s contents.
    virtual void read(std::size_t begin, std::size_t count, std::vector<ReviewRow> &out) const = 0;
    virtual ReviewRow at(std::size_t index) const = 0;
};

// Reviews the rows. Throws ft::Error(BadInput) for bad options (threshold outside (0, 1],
// bands not dividing the permutations, cutoff < 1, unknown template).
ReviewResult reviewDataset(const ReviewRowSource &rows, const ReviewOptions &options);
ReviewResult reviewDataset(const std::vector<ReviewRow> &rows, const ReviewOptions &options);

} // namespace ft
