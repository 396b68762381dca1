// Blind comparisons of base and tuned answers, stored in a project's comparisons and ratings
// tables: the prompt, both outputs, which side (A or B) showed the tuned model, the person's
// verdict and note. The Compare page writes them and shows the win rate. Torch-free.
#pragma once

#include "ft/evalstats.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ft {

class ProjectStore;

struct RatedComparison
{
    int64_t id = 0;
    std::string createdAt;     // UTC, ISO 8601 (filled when stored)
    std::string prompt;
    std::string baseOutput;
    std::string tunedOutput;
    std::string tuned;         // what the tuned side was: the adapter or model folder
    std::string tunedSide;     // "A" or "B": where the blind view showed the tuned answer
    std::string verdict;       // "tuned", "base" or "tie"
    std::string note;
    nlohmann::json settings = nlohmann::json::object();  // decoding settings (seed, max tokens ...)
};

// Stores one rated comparison in one transaction; returns its comparisons.id. BadInput when the
// verdict is not tuned/base/tie or the side not A/B.
int64_t addRatedComparison(ProjectStore &store, const RatedComparison &comparison);
// Oldest first.
std::vector<RatedComparison> ratedComparisons(const ProjectStore &store);
// All the project's votes: wins = tuned better, losses = base better (ft/evalstats.h's WinRate,
// with its Wilson interval and sign test).
WinRate winRate(const ProjectStore &store);

// "A better" when the tuned answer was on side A means "tuned", and so on; vote is "A", "B" or
// "tie".
std::string verdictForVote(const std::string &vote, const std::string &tunedSide);

} // namespace ft
