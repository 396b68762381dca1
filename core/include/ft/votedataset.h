// The blind votes of a project (ft/ratingstore.h) as a preference dataset: each vote with a
// winner becomes a row (the prompt, the winning answer as chosen, the other as rejected; ties
// are left out), in a new dataset of format "preference" whose rows are all in the train split,
// ready for stage "dpo" / "orpo". Torch-free.
#pragma once

#include "ft/project.h"

#include <cstdint>
#include <string>

namespace ft {

struct VoteDataset
{
    DatasetInfo dataset;
    int64_t pairs = 0;  // rows written
    int64_t ties = 0;   // votes left out
};

// A free dataset name for the project's votes: "votes <tuned run> <UTC date>" (", 2", ", 3" ...
// when taken); the run is the folder of the latest vote's tuned model.
std::string suggestVoteDatasetName(const ProjectStore &store);

// Writes the dataset in one transaction. BadInput when there is no vote with a winner, or the
// name is taken.
VoteDataset makeVoteDataset(ProjectStore &store, const std::string &name);

} // namespace ft
