#include "io/safetensorsweights.h"

#include "ft/jsonparse.h"
#include "ft/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

namespace ft {

namespace fs = std::filesystem;

SafetensorsWeights::SafetensorsWeights(const fs::path &folder)
{
    const fs::path single = folder / "model.safetensors";
    const fs::path indexPath = folder / "model.safetensors.index.json";
    std::vector<fs::path> files;
    if (fs::exists(indexPath)) {
        m_origin = indexPath.string();
        const nlohmann::json index = readJsonFileBounded(indexPath);
        if (!index.contains("weight_map") || !index["weight_map"].is_object())
            throwBadInput(m_origin + ": missing the 'weight_map' object");
        std::set<std::string> shardNames;
        for (const auto &item : index["weight_map"].items()) {
            if (!item.value().is_string())
                throwBadInput(m_origin + ": weight_map entry '" + item.key() + "' is not a file name");
            const std::string shard = item.value().get<std::string>();
            if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos)
                throwBadInput(m_origin + ": shard name '" + shard + "' leaves the model folder");
            shardNames.insert(shard);
        }
        for (const auto &shard : shardNames) {
            if (!fs::exists(folder / shard))
                throwBadInput(m_origin + ": shard '" + shard + "' is missing from " + folder.string());
            files.push_back(folder / shard);
        }
    } else if (fs::exists(single)) {
        m_origin = single.string();
        files.push_back(single);
    } else {
        throwBadInput(folder.string() + ": no model.safetensors or model.safetensors.index.json "
                      "(only safetensors weights are read; pickled .bin files are never loaded)");
    }
    for (const auto &file : files) {
        m_files.push_back(std::make_unique<SafetensorsFile>(file));
        for (const auto &entry : m_files.back()->entries())
            m_index.emplace(entry.first, m_files.back().get());
    }
}

std::vector<std::string> SafetensorsWeights::tensorNames() const
{
    std::vector<std::string> names;
    names.reserve(m_index.size());
    for (const auto &item : m_index)
        names.push_back(item.first);
    return names;
}

bool SafetensorsWeights::has(const std::string &name) const
{
    return m_index.count(name) != 0;
}

const SafetensorsFile &SafetensorsWeights::fileOf(const std::string &name) const
{
    const auto it = m_index.find(name);
    if (it == m_index.end())
        throwBadInput(m_origin + ": the checkpoint has no tensor '" + name + "'");
    return *it->second;
}

std::vector<int64_t> SafetensorsWeights::shape(const std::string &name) const
{
    return fileOf(name).entry(name).shape;
}

std::string SafetensorsWeights::dtypeName(const std::string &name) const
{
    return fileOf(name).entry(name).dtype;
}

torch::Tensor SafetensorsWeights::loadFloat32(const std::string &name) const
{
    return fileOf(name).loadFloat32(name);
}

} // namespace ft
