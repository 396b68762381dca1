// Rows for the review tests: a question-answer row, ordinary distinct rows as a clean background,
// the findings of one kind, and a long paragraph of words for near-duplicate stories.
#pragma once

#include "ft/review.h"

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace reviewtest {

using ft::ReviewRow;

inline ReviewRow qa(int64_t id, const std::string &user, const std::string &assistant, const std::string &split = {})
{
    ReviewRow r;
    r.rowId = id;
    r.messages = {{"user", user}, {"assistant", assistant}};
    r.split = split;
    return r;
}

// Ordinary, distinct rows: the clean background the planted problems sit in.
inline std::vector<ReviewRow> cleanRows(int count, int64_t firstId = 1000)
{
    static const char *topics[] = {"apples", "rivers", "engines", "poetry", "taxes", "volcanoes", "chess",
                                   "bread", "satellites", "forests", "music", "bridges"};
    static const char *verbs[] = {"Explain", "Describe", "Summarize", "Compare", "List facts about", "Discuss"};
    std::vector<ReviewRow> rows;
    std::mt19937 rng(7);
    for (int i = 0; i < count; ++i) {
        const std::string topic = topics[i % 12];
        std::string answer;
        const int sentences = 3 + static_cast<int>(rng() % 4);
        for (int s = 0; s < sentences; ++s)
            answer += "Point " + std::to_string(s + 1) + " about " + topic + " number " + std::to_string(i) +
                      " concerns item " + std::to_string(rng() % 100000) + ". ";
        rows.push_back(qa(firstId + i, std::string(verbs[i % 6]) + " " + topic + " case " + std::to_string(i) +
                                           " in detail.", answer));
    }
    return rows;
}

inline std::vector<ft::ReviewFinding> findingsOf(const ft::ReviewResult &r, const std::string &kind)
{
    std::vector<ft::ReviewFinding> out;
    for (const auto &f : r.findings)
        if (f.kind == kind)
            out.push_back(f);
    return out;
}

inline std::set<int64_t> rowsWith(const ft::ReviewResult &r, const std::string &kind)
{
    std::set<int64_t> out;
    for (const auto &f : r.findings)
        if (f.kind == kind)
            out.insert(f.rowId);
    return out;
}


inline std::string longParagraph(int seed)
{
    static const char *words[] = {"model", "data", "river", "quickly", "under", "bright", "stone", "garden",
                                  "signal", "careful", "market", "winter", "silver", "number", "shadow", "letter"};
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::string s;
    for (int i = 0; i < 80; ++i)
        s += std::string(words[rng() % 16]) + " ";
    return s;
}

} // namespace reviewtest
