// The blind votes of the Compare page (ft/ratingstore.h) on one tuned model, counted.
#pragma once

#include <cstdint>
#include <string>

namespace ft {

class ProjectStore;

struct BlindVotes
{
    int64_t wins = 0, losses = 0, ties = 0;
};

// Votes whose tuned side is `tunedFolder` or inside it; all votes when it is empty.
BlindVotes blindVotes(const ProjectStore &store, const std::string &tunedFolder);

} // namespace ft
