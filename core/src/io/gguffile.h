// A GGUF file (v2 / v3), memory-mapped read-only and parsed with every count, length and offset
// checked against the file size. Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
//
//   magic "GGUF" | version u32 | tensor_count u64 | kv_count u64
//   kv_count x (key string, value type u32, value)
//   tensor_count x (name string, n_dims u32, ne[n_dims] u64, ggml type u32, offset u64)
//   padding to general.alignment (default 32) | tensor data (offsets relative to here)
//
// Strings are u64 length + bytes (no terminator). Dimensions are in ggml order: ne[0] is the
// innermost (contiguous) one, so a torch shape is the reverse.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ft {

// GGUF metadata value types (gguf.md "gguf_metadata_value_type").
enum class GgufValueType : uint32_t {
    Uint8 = 0,
    Int8 = 1,
    Uint16 = 2,
    Int16 = 3,
    Uint32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    Uint64 = 10,
    Int64 = 11,
    Float64 = 12,
};

struct GgufTensorInfo
{
    std::string name;
    std::vector<int64_t> ne; // ggml order: ne[0] innermost
    uint32_t type = 0;       // ggml type id (see ggufdequant.h)
    uint64_t offset = 0;     // relative to the data section
    uint64_t sizeBytes = 0;  // validated to lie inside the file
    int64_t numel() const;
    std::vector<int64_t> torchShape() const; // reversed ne
};

class GgufFile
{
public:
    // Maps and parses the file. Throws ft::Error(BadInput) naming the file for anything malformed.
    explicit GgufFile(const std::filesystem::path &path);
    ~GgufFile();
    GgufFile(const GgufFile &) = delete;
    GgufFile &operator=(const GgufFile &) = delete;

    const std::filesystem::path &path() const { return m_path; }
    uint32_t version() const { return m_version; }
    uint64_t alignment() const { return m_alignment; }
    uint64_t fileSizeBytes() const { return m_size; }
    uint64_t dataOffset() const { return m_dataOffset; }

    // All key/values; arrays become JSON arrays, integers JSON integers, bools JSON bools.
    const nlohmann::json &metadata() const { return m_metadata; }
    bool hasKey(const std::string &key) const { return m_metadata.contains(key); }
    // Type of a key's value (for arrays: Array; see arrayType()). Throws if the key is absent.
    GgufValueType valueType(const std::string &key) const;
    GgufValueType arrayType(const std::string &key) const;

    // Typed accessors: throw BadInput naming the file and key when absent or of the wrong type.
    std::string getString(const std::string &key) const;
    uint64_t getUint(const std::string &key) const; // any non-negative integer type
    double getFloat(const std::string &key) const;  // float32/64 or an integer
    bool getBool(const std::string &key) const;

    const std::vector<GgufTensorInfo> &tensors() const { return m_tensors; }
    const GgufTensorInfo *findTensor(const std::string &name) const;
    // The tensor's raw bytes inside the mapping (valid while this object lives).
    const uint8_t *tensorData(const GgufTensorInfo &info) const;

    // "<file>: <what>" for error messages.
    std::string describe(const std::string &what) const;

private:
    void parse();

    std::filesystem::path m_path;
    const uint8_t *m_base = nullptr;
    uint64_t m_size = 0;
    uint32_t m_version = 0;
    uint64_t m_alignment = 32;
    uint64_t m_dataOffset = 0;
    nlohmann::json m_metadata = nlohmann::json::object();
    std::map<std::string, std::pair<GgufValueType, GgufValueType>> m_types; // key -> (type, elem)
    std::vector<GgufTensorInfo> m_tensors;
    std::map<std::string, size_t> m_tensorIndex;
};

} // namespace ft
