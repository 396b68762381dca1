#include "train/partselection.h"

#include "util/userregex.h"

#include <algorithm>
#include <set>

namespace ft {
namespace {

bool contains(const std::vector<std::string> &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string blockRange(const std::vector<int> &blocks)
{
    if (blocks.empty())
        return "none";
    const auto [lo, hi] = std::minmax_element(blocks.begin(), blocks.end());
    if (blocks.size() == 1)
        return std::to_string(*lo);
    if (*hi - *lo + 1 == int(blocks.size()))
        return std::to_string(*lo) + "-" + std::to_string(*hi);
    std::string text;
    for (int b : blocks)
        text += (text.empty() ? "" : ",") + std::to_string(b);
    return text;
}

} // namespace

std::vector<std::string> selectParameters(const ModelStructure &structure, const PartSelection &selection,
                                          const std::string &key, std::vector<std::string> &problems)
{
    const std::set<int> blocks(selection.blocks.begin(), selection.blocks.end());
    std::vector<UserRegex> patterns;
    std::vector<bool> patternUsed(selection.patterns.size(), false);
    for (const auto &p : selection.patterns)
        patterns.emplace_back(p, key + ".patterns");  // validated when the config was parsed
    for (const auto &part : structure.parts)
        if (part.kind == "lm_head" && part.tied && contains(selection.extra, "lm_head"))
            problems.push_back(key + ".extra: lm_head is tied to the embeddings in this model; "
                                     "choose \"embeddings\" to train that matrix");

    std::vector<std::string> names;
    for (const auto &part : structure.parts) {
        const bool wholePart = part.block >= 0
                                   ? blocks.count(part.block) && contains(selection.modules, part.kind)
                                   : contains(selection.extra, part.kind);
        for (const auto &name : part.parameterNames) {
            bool take = wholePart;
            for (size_t i = 0; i < patterns.size(); ++i)
                if (patterns[i].search(name)) {
                    patternUsed[i] = true;
                    take = true;
                }
            if (take)
                names.push_back(name);
        }
    }
    for (size_t i = 0; i < patterns.size(); ++i)
        if (!patternUsed[i])
            problems.push_back(key + ".patterns: '" + selection.patterns[i] +
                               "' matches no parameter name (e.g. " +
                               (structure.parts.size() > 1 && !structure.parts[1].parameterNames.empty()
                                    ? structure.parts[1].parameterNames.front()
                                    : std::string("model.layers.0.mlp.up_proj.weight")) +
                               ")");
    return names;
}

std::vector<int> freezeBlocks(const FreezeOptions &options, int blockCount, std::vector<std::string> &problems)
{
    std::vector<int> blocks;
    if (options.blockSelection == "list") {
        for (int b : options.blocks) {
            if (b < 0 || b >= blockCount)
                problems.push_back("freeze.blocks: block " + std::to_string(b) +
                                   " is out of range (the model has blocks 0-" +
                                   std::to_string(blockCount - 1) + ")");
            else if (std::find(blocks.begin(), blocks.end(), b) == blocks.end())
                blocks.push_back(b);
        }
        std::sort(blocks.begin(), blocks.end());
        return blocks;
    }
    const std::string key = "freeze." + options.blockSelection + "_blocks";
    if (options.blockCount > blockCount)
        problems.push_back(key + ": " + std::to_string(options.blockCount) + " blocks, but the model has " +
                           std::to_string(blockCount));
    const int n = std::min(options.blockCount, blockCount);
    for (int i = 0; i < n; ++i)
        blocks.push_back(options.blockSelection == "first" ? i : blockCount - n + i);
    return blocks;
}

std::vector<ResolvedStage> progressiveStages(const ProgressiveOptions &options,
                                             const ModelStructure &structure,
                                             std::vector<std::string> &problems)
{
    const int blockCount = structure.blockCount;
    std::vector<ProgressiveStage> stages = options.stages;
    if (stages.empty())
        for (int e = 1, left = blockCount - options.initialBlocks; left > 0; ++e, --left) {
            ProgressiveStage st;
            st.atEpoch = e;
            stages.push_back(st);
        }
    int wanted = options.initialBlocks;
    for (const auto &st : stages)
        wanted += st.blocks;
    if (wanted > blockCount)
        problems.push_back("progressive: initial_blocks and the stages unfreeze " + std::to_string(wanted) +
                           " blocks, but the model has " + std::to_string(blockCount));

    std::vector<ResolvedStage> resolved;
    int next = blockCount - 1;  // top-down
    auto take = [&](int count) {
        std::vector<int> blocks;
        for (int i = 0; i < count && next >= 0; ++i)
            blocks.insert(blocks.begin(), next--);
        return blocks;
    };
    ResolvedStage first;
    first.blocks = take(options.initialBlocks);
    first.names = selectParameters(structure, {first.blocks, options.modules, options.extra, {}},
                                   "progressive", problems);
    if (first.names.empty())
        problems.push_back("progressive: nothing trains at the start (initial_blocks 0 and no extra parts)");
    resolved.push_back(std::move(first));
    for (const auto &st : stages) {
        ResolvedStage r;
        r.blocks = take(st.blocks);
        r.names = selectParameters(structure, {r.blocks, options.modules, {}, {}}, "progressive", problems);
        r.atEpoch = st.atEpoch;
        r.atFraction = st.atFraction;
        r.lrFactor = st.lrFactor;
        resolved.push_back(std::move(r));
    }
    return resolved;
}

std::vector<std::string> freezeSelection(const TrainingConfig &config, const ModelStructure &structure,
                                         std::vector<std::string> &problems)
{
    const FreezeOptions &f = config.freeze;
    PartSelection selection{freezeBlocks(f, structure.blockCount, problems), f.modules, f.extra,
                            f.patterns};
    const size_t before = problems.size();
    std::vector<std::string> names = selectParameters(structure, selection, "freeze", problems);
    if (names.empty() && problems.size() == before)
        problems.push_back("freeze: nothing trains (no block, module, extra part or pattern selects "
                           "a parameter)");
    return names;
}

std::string describeBlocks(const std::vector<int> &blocks) { return blockRange(blocks); }

} // namespace ft
