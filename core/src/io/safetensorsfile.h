// One .safetensors file: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the data. Parsing is bounds-checked against the
// file size (the file is untrusted); tensors are read with pread into fp32 tensors so peak
// memory while loading stays near the fp32 weight size (no mapping held alongside a copy).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ft {

struct SafetensorsEntry
{
    std::string dtype;            // "F32", "F16", "BF16", "I64", ...
    std::vector<int64_t> shape;
    uint64_t begin = 0;           // byte offsets relative to the data section
    uint64_t end = 0;
};

class SafetensorsFile
{
public:
    explicit SafetensorsFile(const std::filesystem::path &path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile &) = delete;
    SafetensorsFile &operator=(const SafetensorsFile &) = delete;

    const std::filesystem::path &path() const { return m_path; }
    const std::map<std::string, SafetensorsEntry> &entries() const { return m_entries; }
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }
    bool has(const std::string &name) const { return m_entries.count(name) != 0; }
    const SafetensorsEntry &entry(const std::string &name) const;

    // A contiguous float32 CPU tensor (F32 read directly; F16/BF16 upcast).
    torch::Tensor loadFloat32(const std::string &name) const;
    // The tensor in its stored dtype (F32/F16/BF16/I64/I32/...).
    torch::Tensor loadRaw(const std::string &name) const;

private:
    void readAt(uint64_t offset, void *destination, uint64_t size) const;

    std::filesystem::path m_path;
    int m_fd = -1;
    uint64_t m_fileSize = 0;
    uint64_t m_dataOffset = 0;
    std::map<std::string, SafetensorsEntry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

// Element size in bytes of a safetensors dtype name, 0 if unknown.
int safetensorsDtypeSize(const std::string &dtype);

} // namespace ft
