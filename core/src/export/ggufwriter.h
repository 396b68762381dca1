// Writes a GGUF v3 file (layout in io/gguffile.h): metadata key/values in the order added, then
// the tensor infos, then the tensor data, each tensor aligned to general.alignment (32). Tensor
// bytes are produced one tensor at a time while writing, so a model never sits in memory twice.
// The file is written beside the target under a temporary name and renamed at the end.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ft {

class GgufWriter
{
public:
    void addString(const std::string &key, const std::string &value);
    void addUint32(const std::string &key, uint32_t value);
    void addInt32(const std::string &key, int32_t value);
    void addFloat32(const std::string &key, float value);
    void addBool(const std::string &key, bool value);
    void addStringArray(const std::string &key, const std::vector<std::string> &values);
    void addFloat32Array(const std::string &key, const std::vector<float> &values);
    void addInt32Array(const std::string &key, const std::vector<int32_t> &values);

    // ne in ggml order (ne[0] = row length); `bytes` must return exactly the type's size for
    // that shape (checked when writing).
    using Producer = std::function<std::vector<uint8_t>()>;
    void addTensor(const std::string &name, const std::vector<int64_t> &ne, uint32_t ggmlType,
                   Producer bytes);

    // Throws ft::Error(BadInput) naming the file when it cannot be written; nothing is left
    // behind then.
    void write(const std::filesystem::path &file) const;

private:
    struct Tensor
    {
        std::string name;
        std::vector<int64_t> ne;
        uint32_t type;
        uint64_t sizeBytes;
        Producer bytes;
    };
    void key(const std::string &k, uint32_t valueType);

    std::vector<uint8_t> m_kv; // encoded key/value pairs
    uint64_t m_kvCount = 0;
    std::vector<Tensor> m_tensors;
};

} // namespace ft
