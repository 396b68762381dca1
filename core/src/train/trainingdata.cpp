#include "train/trainingdata.h"

#include "ft/jsonparse.h"
#include "ft/dataimport.h"
#include "ft/error.h"
#include "ft/project.h"
#include "train/runfiles.h"

#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

static std::string requireString(const json &row, const char *field, bool required, size_t index)
{
    if (!row.contains(field) || row[field].is_null()) {
        if (required)
            throw std::runtime_error("row " + std::to_string(index) + ": field '" + field +
                                     "' is missing");
        return {};
    }
    if (!row[field].is_string())
        throw std::runtime_error("row " + std::to_string(index) + ": field '" + field +
                                 "' must be a string");
    return row[field].get<std::string>();
}

// One data row -> chat messages (ordered_json list). Throws std::runtime_error naming the row
// and field.
nlohmann::ordered_json rowMessages(const json &row, size_t index, bool alpacaTemplate)
{
    const std::string where = "row " + std::to_string(index);
    if (!row.is_object())
        throw std::runtime_error(where + ": not a JSON object");
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    const std::string system = requireString(row, "system", false, index);
    if (row.contains("messages") || row.contains("conversations")) {
        const bool sharegpt = !row.contains("messages");
        const char *field = sharegpt ? "conversations" : "messages";
        const json &list = row[field];
        if (!list.is_array() || list.empty())
            throw std::runtime_error(where + ": field '" + field + "' must be a non-empty list");
        if (!system.empty())
            messages.push_back({{"role", "system"}, {"content", system}});
        bool hasAssistant = false;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string item = where + ": " + field + "[" + std::to_string(i) + "]";
            const json &m = list[i];
            const char *roleKey = sharegpt ? "from" : "role";
            const char *contentKey = sharegpt ? "value" : "content";
            if (!m.is_object() || !m.contains(roleKey) || !m[roleKey].is_string())
                throw std::runtime_error(item + "." + roleKey + ": missing or not a string");
            if (!m.contains(contentKey) || !m[contentKey].is_string())
                throw std::runtime_error(item + "." + contentKey + ": missing or not a string");
            std::string role = m[roleKey].get<std::string>();
            if (sharegpt) {
                if (role == "human" || role == "user")
                    role = "user";
                else if (role == "gpt" || role == "assistant")
                    role = "assistant";
                else if (role != "system")
                    throw std::runtime_error(item + ".from: unknown speaker '" + role + "'");
            } else if (role != "user" && role != "assistant" && role != "system") {
                throw std::runtime_error(item + ".role: unknown role '" + role + "'");
            }
            hasAssistant = hasAssistant || role == "assistant";
            messages.push_back({{"role", role}, {"content", m[contentKey].get<std::string>()}});
        }
        if (!hasAssistant)
            throw std::runtime_error(where + ": field '" + field + "' has no assistant turn");
        return messages;
    }
    if (!row.contains("instruction") && row.contains("text"))
        throw std::runtime_error(where + ": a document ({\"text\": ...}), not an instruction; train "
                                         "documents with \"stage\": \"pt\"");
    const std::string instruction = requireString(row, "instruction", true, index);
    const std::string input = requireString(row, "input", false, index);
    const std::string output = requireString(row, "output", true, index);
    if (instruction.empty())
        throw std::runtime_error(where + ": field 'instruction' is empty");
    if (output.empty())
        throw std::runtime_error(where + ": field 'output' is empty");
    if (!system.empty())
        messages.push_back({{"role", "system"}, {"content", system}});
    if (alpacaTemplate)
        messages.push_back({{"role", "user"}, {"content", instruction}, {"input", input}});
    else
        messages.push_back(
            {{"role", "user"}, {"content", input.empty() ? instruction : instruction + "\n\n" + input}});
    messages.push_back({{"role", "assistant"}, {"content", output}});
    return messages;
}

// A project dataset's rows that are not excluded (the train split when it has splits), as
// training records: an unedited Alpaca row as itself, any other as {"messages": [...]}.
std::vector<std::pair<json, std::string>> readProjectRows(const fs::path &project, const std::string &dataset)
{
    return readProjectRowSets(project, dataset, "", "").train;
}

ProjectRowSets readProjectRowSets(const fs::path &project, const std::string &dataset,
                                  const std::string &dataSplit, const std::string &evalSplit)
{
    ProjectStore store(project, /*mustExist=*/true);
    const DatasetInfo info = store.dataset(dataset);
    const bool split = store.hasSplits(info.id);
    const bool needsSplit = (!dataSplit.empty() && dataSplit != "all") || !evalSplit.empty();
    if (needsSplit && !split)
        throwBadInput(project.string() + "#" + dataset +
                      ": the dataset has no split yet (split it on the Data page or with `data split`)");
    const std::string trainSplit = dataSplit.empty() ? (split ? "train" : "") : dataSplit == "all" ? "" : dataSplit;
    ProjectRowSets sets;
    store.forEachRow(info.id, [&](const ProjectRow &row) {
        if (row.status == RowStatus::Excluded)
            return true;
        if (!evalSplit.empty() && row.split == evalSplit) {
            sets.eval.emplace_back(trainingRecord(row, info), std::string());
            sets.evalIds.push_back(row.id);
        } else if (trainSplit.empty() || row.split == trainSplit) {
            sets.train.emplace_back(trainingRecord(row, info), std::string());
            sets.trainIds.push_back(row.id);
        }
        return true;
    });
    return sets;
}

// The rows of a .json list or a .jsonl file, or of "P.ftproj#dataset". A JSONL line that does
// not parse becomes a "bad" (null) row with its parse error.
std::vector<std::pair<json, std::string>> readRows(const fs::path &path)
{
    if (const auto spec = parseProjectDataset(path.string()))
        return readProjectRows(spec->first, spec->second);
    const std::string text = readText(path, "data file");
    std::vector<std::pair<json, std::string>> rows;
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return rows;
    if (text[first] == '[') {
        json doc;
        checkJsonDepth(text, path.string());
        try {
            doc = json::parse(text);
        } catch (const json::exception &e) {
            throwBadInput(path.string() + ": not valid JSON (" + jsonErrorText(e) + ")");
        }
        for (auto &row : doc)
            rows.emplace_back(std::move(row), std::string());
        return rows;
    }
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        if (jsonNestingDepth(line) > kMaxJsonDepth) {
            rows.emplace_back(json(), "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
            continue;
        }
        try {
            rows.emplace_back(json::parse(line), std::string());
        } catch (const json::exception &e) {
            rows.emplace_back(json(), "not valid JSON (" + jsonErrorText(e) + ")");
        }
    }
    return rows;
}

} // namespace ft
