// LLaMA-Factory's dataset_info.json as a registry: each local entry becomes a dataset.
#include "ft/jsonparse.h"
#include "ft/dataimport.h"

#include "ft/error.h"

#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {
namespace {

std::string str(const json &o, const char *key)
{
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// LLaMA-Factory's "columns" (its field -> the file's column) as our column map (the file's
// column -> our field), and the format the entry's formatting / ranking / columns mean.
DataFormat entryFormat(const json &entry, ImportOptions &o)
{
    const json columns = entry.value("columns", json::object());
    const json tags = entry.value("tags", json::object());
    const auto rankingIt = entry.find("ranking");
    if (rankingIt != entry.end() && !rankingIt->is_boolean())
        throwBadInput("'ranking' must be true or false, got " + jsonExcerpt(*rankingIt));
    const bool ranking = rankingIt != entry.end() && rankingIt->get<bool>();
    const bool sharegpt = str(entry, "formatting") == "sharegpt";
    for (const auto &t : tags.items())
        if (t.value().is_string())
            o.tags[t.key()] = t.value().get<std::string>();
    const bool roleContent = str(tags, "role_tag") == "role" && str(tags, "content_tag") == "content";
    auto map = [&](const char *theirs, const std::string &ours) {
        const std::string col = str(columns, theirs);
        if (!col.empty())
            o.columnMap[col] = ours;
    };
    if (sharegpt) {
        map("messages", roleContent ? "messages" : "conversations");
        map("system", "system");
        map("tools", "tools");
        map("chosen", "chosen");
        map("rejected", "rejected");
        if (ranking)
            return DataFormat::Preference;
        return roleContent ? DataFormat::Messages : DataFormat::ShareGpt;
    }
    map("query", "input");
    map("system", "system");
    map("history", "history");
    if (ranking) {
        map("prompt", "instruction");
        map("chosen", "chosen");
        map("rejected", "rejected");
        return DataFormat::Preference;
    }
    // A prompt column without a response column is LLaMA-Factory's pre-training layout
    // (wiki_demo, c4_demo: {"prompt": "text"}).
    if (columns.contains("prompt") && !columns.contains("response")) {
        map("prompt", "text");
        return DataFormat::Text;
    }
    map("prompt", "instruction");
    map("response", "output");
    return DataFormat::Alpaca;
}

} // namespace

std::vector<RegistryEntry> importRegistry(ProjectStore &store, const fs::path &datasetInfo, const ImportOptions &options)
{
    const json doc = readJsonFileBounded(datasetInfo);
    if (!doc.is_object())
        throwBadInput(datasetInfo.string() + ": expected an object of dataset entries");
    const fs::path dir = datasetInfo.parent_path();
    std::vector<RegistryEntry> out;
    for (const auto &item : doc.items()) {
        RegistryEntry e;
        e.name = item.key();
        const json &entry = item.value();
        if (!entry.is_object()) {
            e.status = "failed";
            e.problem = "entry is not an object";
            out.push_back(std::move(e));
            continue;
        }
        const std::string file = str(entry, "file_name");
        if (file.empty()) {
            e.status = "remote";
            for (const char *k : {"hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name"})
                if (!str(entry, k).empty()) {
                    e.problem = std::string(k) + ": " + str(entry, k) + " (not a local file)";
                    break;
                }
            out.push_back(std::move(e));
            continue;
        }
        const fs::path path = dir / file;
        e.file = path.string();
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            e.status = "missing";
            e.problem = "file not found: " + path.string();
            out.push_back(std::move(e));
            continue;
        }
        if (store.findDataset(e.name)) {
            e.status = "exists";
            e.problem = "a dataset with this name is already in the project";
            out.push_back(std::move(e));
            continue;
        }
        ImportOptions o = options;
        o.name = e.name;
        o.columnMap.clear();
        o.tags.clear();
        try {
            o.format = entryFormat(entry, o);
            e.result = importDataset(store, {path}, o);
            e.result->detection.reason = "from dataset_info.json";
            e.status = "imported";
        } catch (const Error &err) {
            if (err.kind() != ErrorKind::BadInput)
                throw;
            e.status = "failed";
            e.problem = err.what();
        }
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace ft
