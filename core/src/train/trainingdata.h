// Training rows: Alpaca, messages and ShareGPT records read from .json / .jsonl files (or a
// project dataset) and turned
// into chat messages; a tokenized example with its labels.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace ft {

struct Example
{
    std::vector<int64_t> ids;
    std::vector<int64_t> labels;  // -100 where no loss is taken
    int64_t lossTokens = 0;
};

// One data row -> chat messages. Throws std::runtime_error naming the row and field.
nlohmann::ordered_json rowMessages(const nlohmann::json &row, size_t index, bool alpacaTemplate);
// The rows of a .json list or a .jsonl file, or of a project dataset "P.ftproj#name" (see
// readProjectRows). A JSONL line that does not parse becomes a null row with its parse error.
std::vector<std::pair<nlohmann::json, std::string>> readRows(const std::filesystem::path &path);
// A project dataset's rows that are not excluded (only the train split when it has splits).
std::vector<std::pair<nlohmann::json, std::string>> readProjectRows(const std::filesystem::path &project,
                                                                    const std::string &dataset);

// A project dataset's rows for one run: the non-excluded rows (edits applied) of the training
// split and of the evaluation split, with their project row ids (rows.id).
struct ProjectRowSets
{
    std::vector<std::pair<nlohmann::json, std::string>> train, eval;
    std::vector<int64_t> trainIds, evalIds;
};
// dataSplit "": the train split when the dataset has splits, else every row; "all": every row;
// else that split. evalSplit "": none. BadInput naming the dataset when a split is asked for but
// the dataset has none.
ProjectRowSets readProjectRowSets(const std::filesystem::path &project, const std::string &dataset,
                                  const std::string &dataSplit, const std::string &evalSplit);

} // namespace ft
