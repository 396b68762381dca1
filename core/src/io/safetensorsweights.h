// The weights of a Hugging Face folder: model.safetensors, or the shards listed in
// model.safetensors.index.json.
#pragma once

#include "io/safetensorsfile.h"
#include "io/weightsource.h"

#include <filesystem>
#include <map>
#include <memory>

namespace ft {

class SafetensorsWeights : public WeightSource
{
public:
    // Throws ft::Error(BadInput) when the folder has neither file or a shard is missing.
    explicit SafetensorsWeights(const std::filesystem::path &folder);

    std::vector<std::string> tensorNames() const override;
    bool has(const std::string &name) const override;
    std::vector<int64_t> shape(const std::string &name) const override;
    std::string dtypeName(const std::string &name) const override;
    torch::Tensor loadFloat32(const std::string &name) const override;
    std::string origin() const override { return m_origin; }

private:
    const SafetensorsFile &fileOf(const std::string &name) const;

    std::string m_origin;
    std::vector<std::unique_ptr<SafetensorsFile>> m_files;
    std::map<std::string, const SafetensorsFile *> m_index;
};

} // namespace ft
