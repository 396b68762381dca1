// The blind votes of the Compare page counted for one tuned model (eval/blindvotes.h).
#include "eval/blindvotes.h"

#include "ft/ratingstore.h"

namespace ft {

BlindVotes blindVotes(const ProjectStore &store, const std::string &tunedFolder)
{
    std::string folder = tunedFolder;
    while (folder.size() > 1 && folder.back() == '/')
        folder.pop_back();
    BlindVotes votes;
    for (const RatedComparison &c : ratedComparisons(store)) {
        const bool matches = folder.empty() || c.tuned == folder ||
                             c.tuned.compare(0, folder.size() + 1, folder + "/") == 0;
        if (!matches)
            continue;
        if (c.verdict == "tuned")
            ++votes.wins;
        else if (c.verdict == "base")
            ++votes.losses;
        else
            ++votes.ties;
    }
    return votes;
}

} // namespace ft
