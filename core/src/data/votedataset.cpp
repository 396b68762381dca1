#include "ft/votedataset.h"

#include "data/sha256.h"
#include "data/sqlitedb.h"
#include "ft/error.h"
#include "ft/ratingstore.h"

#include <filesystem>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

namespace {

// The run a tuned folder belongs to: ".../runs/first/final" -> "first".
std::string runName(const std::string &tuned)
{
    fs::path p = fs::path(tuned).lexically_normal();
    if (p.filename().empty())
        p = p.parent_path();
    const std::string leaf = p.filename().string();
    if ((leaf == "final" || leaf.rfind("checkpoint-", 0) == 0) && !p.parent_path().filename().empty())
        return p.parent_path().filename().string();
    return leaf.empty() ? std::string("compare") : leaf;
}

} // namespace

std::string suggestVoteDatasetName(const ProjectStore &store)
{
    const std::vector<RatedComparison> votes = ratedComparisons(store);
    const std::string run = votes.empty() ? std::string("compare") : runName(votes.back().tuned);
    const std::string base = "votes " + run + " " + sql::utcNow().substr(0, 10);
    std::string name = base;
    for (int n = 2; store.findDataset(name); ++n)
        name = base + ", " + std::to_string(n);
    return name;
}

VoteDataset makeVoteDataset(ProjectStore &store, const std::string &name)
{
    const std::vector<RatedComparison> votes = ratedComparisons(store);
    VoteDataset result;
    std::vector<NewRow> rows;
    Sha256 hash;
    for (const RatedComparison &c : votes) {
        if (c.verdict != "tuned" && c.verdict != "base") {
            ++result.ties;
            continue;
        }
        const bool tunedWon = c.verdict == "tuned";
        NewRow row;
        row.source = "vote " + std::to_string(c.id);
        row.original = {{"prompt", c.prompt},
                        {"chosen", tunedWon ? c.tunedOutput : c.baseOutput},
                        {"rejected", tunedWon ? c.baseOutput : c.tunedOutput},
                        {"comparison_id", c.id},
                        {"winner", c.verdict},
                        {"tuned", c.tuned}};
        row.messages = {{"user", c.prompt}, {"assistant", row.original["chosen"].get<std::string>()}};
        row.kind = RowKind::Preference;
        const std::string text = row.original.dump();
        hash.update(text.data(), text.size());
        rows.push_back(std::move(row));
    }
    if (rows.empty())
        throwBadInput("no blind vote with a winner yet (" + std::to_string(result.ties) +
                      " ties, which are left out): vote on the Compare page first");
    NewDataset info;
    info.name = name;
    info.sourcePath = "blind votes (" + store.path().filename().string() + ")";
    info.format = "preference";
    info.contentHash = "votes:" + hash.hexDigest();
    std::unique_ptr<DatasetWriter> writer = store.beginDataset(info);
    for (const NewRow &row : rows)
        writer->addRow(row);
    result.dataset = writer->commit();
    writer.reset();
    SplitOptions everyRowTrains;
    everyRowTrains.validation = 0.0;
    store.assignSplits(result.dataset.id, everyRowTrains);
    result.dataset = store.dataset(name);
    result.pairs = static_cast<int64_t>(rows.size());
    return result;
}

} // namespace ft
