#include "export/recipedata.h"

#include "export/exportreadback.h"
#include "ft/error.h"
#include "ft/project.h"
#include "train/preferencebatch.h"
#include "train/trainingdata.h"

#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace ft {
namespace {

using Rows = std::vector<std::pair<json, std::string>>;

// LLaMA-Factory's ShareGPT reader drops a conversation whose turns (after a leading system
// message) do not alternate user, assistant, ... ; `endWithUser`: a preference prompt.
void requireAlternating(const ordered_json &messages, bool endWithUser, size_t index)
{
    size_t i = 0;
    if (!messages.empty() && messages[0]["role"] == "system")
        i = 1;
    const size_t turns = messages.size() - i;
    for (size_t k = 0; i < messages.size(); ++i, ++k) {
        const char *want = k % 2 == 0 ? "user" : "assistant";
        if (messages[i]["role"] != want)
            throw std::runtime_error("row " + std::to_string(index) + ": turn " + std::to_string(k) + " is '" +
                                     messages[i]["role"].get<std::string>() + "' where LLaMA-Factory wants '" +
                                     want + "' (its ShareGPT reader drops such rows)");
    }
    if (turns == 0 || (turns % 2 == 1) != endWithUser)
        throw std::runtime_error("row " + std::to_string(index) + ": the conversation must end with " +
                                 (endWithUser ? "a user turn" : "an assistant turn"));
}

// Only role and content: our Alpaca rendering's "input" field is not a LLaMA-Factory tag.
ordered_json plainMessages(const ordered_json &messages)
{
    ordered_json out = ordered_json::array();
    for (const auto &m : messages)
        out.push_back({{"role", m["role"]}, {"content", m["content"]}});
    return out;
}

bool hasAlpacaInput(const json &row)
{
    return row.is_object() && !row.contains("messages") && !row.contains("conversations") &&
           row.contains("input") && row["input"].is_string() && !row["input"].get<std::string>().empty();
}

// One row in LLaMA-Factory's layout for the stage; throws std::runtime_error naming the row when
// it is left out.
ordered_json recipeRow(const std::string &stage, const json &row, size_t index, bool &alpacaInput)
{
    if (stage == "pt") {
        if (!row.is_object() || !row.contains("text") || !row["text"].is_string() ||
            row["text"].get<std::string>().empty())
            throw std::runtime_error("row " + std::to_string(index) + ": field 'text' is missing or empty");
        return {{"text", row["text"]}};
    }
    if (stage == "dpo" || stage == "orpo") {
        PreferenceSkip skip = PreferenceSkip::None;
        const PreferenceMessages m = preferenceMessages(row, index, false, skip);
        if (skip == PreferenceSkip::Tie)
            throw std::runtime_error("row " + std::to_string(index) + ": a tie (no preference)");
        if (skip == PreferenceSkip::Identical)
            throw std::runtime_error("row " + std::to_string(index) + ": chosen and rejected are identical");
        if (m.chosen.size() != 1 || m.rejected.size() != 1)
            throw std::runtime_error("row " + std::to_string(index) +
                                     ": an answer of several turns (LLaMA-Factory's pairs hold one)");
        requireAlternating(m.prompt, true, index);
        alpacaInput = alpacaInput || hasAlpacaInput(row);
        return {{"messages", plainMessages(m.prompt)},
                {"chosen", plainMessages(m.chosen)[0]},
                {"rejected", plainMessages(m.rejected)[0]}};
    }
    const ordered_json messages = plainMessages(rowMessages(row, index, false));
    requireAlternating(messages, false, index);
    alpacaInput = alpacaInput || hasAlpacaInput(row);
    return {{"messages", messages}};
}

// Where the rows stand among all the rows being written, for progress (train then eval).
struct RowProgress
{
    const ExportCallbacks &callbacks;
    size_t before = 0;
    size_t total = 0;
};

RecipeDataFile writeRows(const std::string &stage, const Rows &rows, const fs::path &file,
                         const std::string &datasetName, bool &alpacaInput, const RowProgress &progress)
{
    RecipeDataFile out;
    out.datasetName = datasetName;
    out.fileName = file.filename().string();
    std::ofstream f(file, std::ios::binary);
    if (!f)
        throwBadInput(file.string() + ": cannot be written");
    for (size_t i = 0; i < rows.size(); ++i) {
        if (i % 4096 == 0) {
            throwIfStopped(progress.callbacks.stop);
            if (progress.callbacks.onProgress && progress.total > 0)
                progress.callbacks.onProgress(double(progress.before + i) / double(progress.total), "writing rows");
        }
        try {
            if (!rows[i].second.empty())
                throw std::runtime_error("row " + std::to_string(i) + ": " + rows[i].second);
            const ordered_json line = recipeRow(stage, rows[i].first, i, alpacaInput);
            f << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
            ++out.rows;
        } catch (const Error &) {
            throw;  // BadInput: the data is not what the stage needs at all
        } catch (const std::runtime_error &e) {
            if (out.firstProblem.empty())
                out.firstProblem = e.what();
            ++out.skipped;
        }
    }
    f.flush();
    if (!f)
        throwBadInput(file.string() + ": writing failed (disk full?)");
    return out;
}

ordered_json datasetInfoEntry(const std::string &stage, const std::string &fileName)
{
    ordered_json entry;
    entry["file_name"] = fileName;
    if (stage == "pt") {
        entry["columns"] = {{"prompt", "text"}};
        return entry;
    }
    entry["formatting"] = "sharegpt";
    if (stage == "dpo" || stage == "orpo") {
        entry["ranking"] = true;
        entry["columns"] = {{"messages", "messages"}, {"chosen", "chosen"}, {"rejected", "rejected"}};
    } else {
        entry["columns"] = {{"messages", "messages"}};
    }
    entry["tags"] = {{"role_tag", "role"}, {"content_tag", "content"}, {"user_tag", "user"},
                     {"assistant_tag", "assistant"}, {"system_tag", "system"}};
    return entry;
}

} // namespace

RecipeData writeRecipeData(const TrainingConfig &config, const fs::path &dir, const ExportCallbacks &callbacks)
{
    Rows train, eval;
    if (const auto spec = parseProjectDataset(config.data)) {
        ProjectRowSets sets = readProjectRowSets(spec->first, spec->second, config.dataSplit, config.evalSplit);
        train = std::move(sets.train);
        eval = std::move(sets.eval);
    } else {
        train = readRows(config.data);
    }
    throwIfStopped(callbacks.stop);
    const size_t total = train.size() + (config.evalSplit.empty() ? 0 : eval.size());
    RecipeData data;
    data.train = writeRows(config.stage, train, dir / "train.jsonl", "train", data.alpacaInputMerged,
                           {callbacks, 0, total});
    if (data.train.rows == 0)
        throwBadInput(config.data + ": no usable row for stage " + config.stage +
                      (data.train.firstProblem.empty() ? std::string(" (the training rows are empty)")
                                                       : " (" + data.train.firstProblem + ")"));
    data.datasetInfo["train"] = datasetInfoEntry(config.stage, data.train.fileName);
    if (!config.evalSplit.empty()) {
        data.eval = writeRows(config.stage, eval, dir / "eval.jsonl", "eval", data.alpacaInputMerged,
                              {callbacks, train.size(), total});
        if (data.eval.rows == 0)
            throwBadInput(config.data + ": eval_split '" + config.evalSplit + "' has no usable row");
        data.datasetInfo["eval"] = datasetInfoEntry(config.stage, data.eval.fileName);
    }
    return data;
}

} // namespace ft
