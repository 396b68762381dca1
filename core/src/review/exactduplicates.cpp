// Exact duplicates: rows whose user and assistant turns are equal after normaliseForMatching()
// (case, white space, NFC, full-width punctuation). The first row of a group is its
// representative and is not flagged; the others are.
#include "review/clusters.h"
#include "review/reviewcontext.h"
#include "review/reviewtext.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace ft::review {

std::string preview(std::string_view text, std::size_t maxChars)
{
    std::string out;
    std::size_t pos = 0, chars = 0;
    bool space = false;
    while (pos < text.size() && chars < maxChars) {
        const std::size_t at = pos;
        const char32_t cp = nextCodePoint(text, pos);
        if (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            ++chars;
        }
        space = false;
        out.append(text.substr(at, pos - at));
        ++chars;
    }
    if (pos < text.size())
        out += "...";
    return out;
}

std::string rowPreview(const ReviewRow &row)
{
    for (const ChatMessage &m : row.messages)
        if (m.role == "user")
            return preview(m.content);
    return row.messages.empty() ? std::string() : preview(row.messages.front().content);
}

void checkExactDuplicates(ReviewContext &ctx)
{
    const std::size_t n = ctx.rowCount;
    std::vector<int> groupSize(n, 0);
    for (std::size_t i = 0; i < n; ++i)
        ++groupSize[static_cast<std::size_t>(ctx.exactGroup[i])];
    int64_t flagged = 0, groups = 0;
    std::vector<int> reps;
    for (std::size_t i = 0; i < n; ++i) {
        const int group = ctx.exactGroup[i];
        const int size = groupSize[static_cast<std::size_t>(group)];
        if (size < 2)
            continue;
        if (group == static_cast<int>(i)) {
            ++groups;
            reps.push_back(group);
            continue;
        }
        ++flagged;
        const int64_t rep = ctx.rowIds[static_cast<std::size_t>(group)];
        ctx.add(i, finding::ExactDuplicate, Severity::Warning,
                "Exact duplicate of row " + std::to_string(rep) +
                    " (same user and assistant text after normalising case, white space, Unicode form and "
                    "full-width punctuation); " + std::to_string(size) + " copies in all",
                {{"cluster", rep}, {"representative", rep}, {"size", size}});
    }
    std::stable_sort(reps.begin(), reps.end(), [&](int a, int b) {
        return groupSize[static_cast<std::size_t>(a)] > groupSize[static_cast<std::size_t>(b)];
    });
    nlohmann::json top = nlohmann::json::array();
    for (std::size_t k = 0; k < reps.size() && k < 10; ++k) {
        const ReviewRow row = ctx.source.at(static_cast<std::size_t>(reps[k]));  // read back to quote it
        top.push_back({{"cluster", row.rowId}, {"representative", row.rowId},
                       {"size", groupSize[static_cast<std::size_t>(reps[k])]}, {"preview", rowPreview(row)}});
    }
    ctx.report["exact_duplicates"] = {{"clusters", groups}, {"rows_flagged", flagged}, {"top_clusters", top},
                                      {"rule", "equal after NFC, case folding, full-width to ASCII and white "
                                               "space collapsing (user and assistant turns)"}};
}

} // namespace ft::review
