// Which base weights train under strategy "freeze" / "progressive": blocks, the modules inside
// them, extra parts and name patterns, resolved against a model's structure. Shared by the
// strategies (what trains) and planTraining (what the layer map shows), so both agree.
#pragma once

#include "ft/modelstructure.h"
#include "ft/trainer.h"

#include <string>
#include <vector>

namespace ft {

struct PartSelection
{
    std::vector<int> blocks;                // decoder blocks whose `modules` train
    std::vector<std::string> modules;       // attention | mlp | norms
    std::vector<std::string> extra;         // embeddings | final_norm | lm_head
    std::vector<std::string> patterns;      // regexes searched in the parameter names
};

// The HF names of the parameters a selection trains, bottom (embeddings) to top. Problems
// (blocks out of range, a pattern that matches nothing, lm_head on a model whose lm_head is
// the embedding) are appended, prefixed with `key` ("freeze").
std::vector<std::string> selectParameters(const ModelStructure &structure, const PartSelection &selection,
                                          const std::string &key, std::vector<std::string> &problems);

// "2-3", "0,2" or "none", for log lines.
std::string describeBlocks(const std::vector<int> &blocks);

// The blocks FreezeOptions names (last N, first N or a list; out-of-range indices are reported).
std::vector<int> freezeBlocks(const FreezeOptions &options, int blockCount, std::vector<std::string> &problems);

// strategy "freeze": the trained parameters' names; also reports "nothing trains".
std::vector<std::string> freezeSelection(const TrainingConfig &config, const ModelStructure &structure,
                                         std::vector<std::string> &problems);

// Progressive unfreezing resolved: stage 0 (from the start) and one entry per stage, each with the
// parameters that join then. Problems: more blocks than the model has, an empty stage 0.
struct ResolvedStage
{
    std::vector<int> blocks;
    std::vector<std::string> names;
    int64_t atEpoch = -1;
    double atFraction = -1.0;
    double lrFactor = 1.0;
};
std::vector<ResolvedStage> progressiveStages(const ProgressiveOptions &options,
                                             const ModelStructure &structure,
                                             std::vector<std::string> &problems);

} // namespace ft
