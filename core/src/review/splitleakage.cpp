// Train/validation leakage: a duplicate cluster (exact or near) with rows in more than one split.
// The rows outside "train" are flagged (or, without a "train" split, those outside the split of
// the cluster's first row): evaluating on them measures memory, not generalisation.
#include "review/reviewcontext.h"

#include <map>
#include <set>

namespace ft::review {

void checkSplitLeakage(ReviewContext &ctx)
{
    const std::size_t n = ctx.rowCount;
    // cluster -> (split -> first row index in it)
    std::map<int, std::map<std::string, std::size_t>> splits;
    for (std::size_t i = 0; i < n; ++i)
        if (!ctx.split(i).empty())
            splits[ctx.cluster[i]].emplace(ctx.split(i), i);
    int64_t flagged = 0;
    std::set<int> leakyClusters;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string &split = ctx.split(i);
        if (split.empty())
            continue;
        const auto &inCluster = splits[ctx.cluster[i]];
        if (inCluster.size() < 2)
            continue;
        std::string home = inCluster.count("train") ? "train" : ctx.split(static_cast<std::size_t>(ctx.cluster[i]));
        if (home.empty())
            home = inCluster.begin()->first;
        if (split == home)
            continue;
        const std::size_t other = inCluster.at(home);
        ++flagged;
        leakyClusters.insert(ctx.cluster[i]);
        const bool exact = ctx.exactGroup[i] == ctx.exactGroup[other];
        ctx.add(i, finding::SplitLeakage, Severity::Error,
                "Row in split '" + split + "' is " + (exact ? "an exact" : "a near") + " duplicate of row " +
                    std::to_string(ctx.rowIds[other]) + " in split '" + home +
                    "': evaluation on it would be inflated",
                {{"split", split}, {"other_split", home}, {"other_row", ctx.rowIds[other]},
                 {"cluster", ctx.rowIds[static_cast<std::size_t>(ctx.cluster[i])]}, {"exact", exact}});
    }
    ctx.report["split_leakage"] = {{"rows_flagged", flagged}, {"clusters", leakyClusters.size()}};
}

} // namespace ft::review
