#include "io/safetensorsfile.h"

#include "ft/jsonparse.h"
#include "ft/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

namespace ft {
namespace {

// Headers larger than this are rejected before allocating (real ones are well under 10 MB).
constexpr uint64_t kMaxHeaderBytes = 100ull * 1024 * 1024;

std::optional<torch::ScalarType> scalarTypeOf(const std::string &dtype)
{
    if (dtype == "F32") return torch::kFloat32;
    if (dtype == "F16") return torch::kFloat16;
    if (dtype == "BF16") return torch::kBFloat16;
    if (dtype == "F64") return torch::kFloat64;
    if (dtype == "I64") return torch::kInt64;
    if (dtype == "I32") return torch::kInt32;
    if (dtype == "I16") return torch::kInt16;
    if (dtype == "I8") return torch::kInt8;
    if (dtype == "U8") return torch::kUInt8;
    if (dtype == "BOOL") return torch::kBool;
    return std::nullopt;
}

} // namespace

int safetensorsDtypeSize(const std::string &dtype)
{
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
    return 0;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path &path) : m_path(path)
{
    const std::string name = path.string();
    m_fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0)
        throwBadInput(name + ": cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(m_fd);
        throwBadInput(name + ": not a regular file");
    }
    m_fileSize = static_cast<uint64_t>(st.st_size);
    try {
        if (m_fileSize < 8)
            throwBadInput(name + ": truncated safetensors file (" + std::to_string(m_fileSize) +
                          " bytes, the 8-byte header length is missing)");
        unsigned char lengthBytes[8];
        readAt(0, lengthBytes, 8);
        uint64_t headerSize = 0;
        for (int i = 7; i >= 0; --i)
            headerSize = (headerSize << 8) | lengthBytes[i];
        if (headerSize > kMaxHeaderBytes || headerSize > m_fileSize - 8)
            throwBadInput(name + ": safetensors header length " + std::to_string(headerSize) +
                          " is larger than the file (" + std::to_string(m_fileSize) +
                          " bytes): truncated or not a safetensors file");
        std::string header(headerSize, '\0');
        readAt(8, header.data(), headerSize);
        m_dataOffset = 8 + headerSize;
        const uint64_t dataSize = m_fileSize - m_dataOffset;

        nlohmann::json json;
        checkJsonDepth(header, name + ": safetensors header");
        try {
            json = nlohmann::json::parse(header);
        } catch (const nlohmann::json::exception &e) {
            throwBadInput(name + ": safetensors header is not valid JSON (" + e.what() + ")");
        }
        if (!json.is_object())
            throwBadInput(name + ": safetensors header is not a JSON object");
        for (auto it = json.begin(); it != json.end(); ++it) {
            const std::string &key = it.key();
            const nlohmann::json &value = it.value();
            if (key == "__metadata__") {
                if (value.is_object())
                    for (auto m = value.begin(); m != value.end(); ++m)
                        if (m.value().is_string())
                            m_metadata[m.key()] = m.value().get<std::string>();
                continue;
            }
            const std::string where = name + ": tensor '" + key + "'";
            if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
                !value.contains("data_offsets"))
                throwBadInput(where + " lacks dtype, shape or data_offsets");
            SafetensorsEntry entry;
            if (!value["dtype"].is_string())
                throwBadInput(where + ": dtype is not a string");
            entry.dtype = value["dtype"].get<std::string>();
            const int elementSize = safetensorsDtypeSize(entry.dtype);
            if (elementSize == 0)
                throwBadInput(where + ": unsupported dtype " + entry.dtype);
            if (!value["shape"].is_array())
                throwBadInput(where + ": shape is not an array");
            uint64_t elements = 1;
            for (const auto &dim : value["shape"]) {
                if (!dim.is_number_unsigned())
                    throwBadInput(where + ": shape holds a negative or non-integer dimension");
                const uint64_t d = dim.get<uint64_t>();
                if (d != 0 && elements > std::numeric_limits<uint64_t>::max() / d / 8)
                    throwBadInput(where + ": shape is absurdly large");
                elements *= d;
                entry.shape.push_back(static_cast<int64_t>(d));
            }
            const auto &offsets = value["data_offsets"];
            if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
                !offsets[1].is_number_unsigned())
                throwBadInput(where + ": data_offsets must be two non-negative integers");
            entry.begin = offsets[0].get<uint64_t>();
            entry.end = offsets[1].get<uint64_t>();
            if (entry.begin > entry.end || entry.end > dataSize)
                throwBadInput(where + ": data_offsets [" + std::to_string(entry.begin) + ", " +
                              std::to_string(entry.end) + "] lie outside the data section (" +
                              std::to_string(dataSize) + " bytes): truncated or corrupt file");
            if (entry.end - entry.begin != elements * static_cast<uint64_t>(elementSize))
                throwBadInput(where + ": data_offsets span " +
                              std::to_string(entry.end - entry.begin) + " bytes but shape and " +
                              entry.dtype + " need " + std::to_string(elements * elementSize));
            m_entries.emplace(key, std::move(entry));
        }
    } catch (...) {
        ::close(m_fd);
        m_fd = -1;
        throw;
    }
}

SafetensorsFile::~SafetensorsFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

const SafetensorsEntry &SafetensorsFile::entry(const std::string &name) const
{
    const auto it = m_entries.find(name);
    if (it == m_entries.end())
        throwBadInput(m_path.string() + ": no tensor named '" + name + "'");
    return it->second;
}

void SafetensorsFile::readAt(uint64_t offset, void *destination, uint64_t size) const
{
    auto *out = static_cast<char *>(destination);
    while (size > 0) {
        const ssize_t got = ::pread(m_fd, out, size, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            throwBadInput(m_path.string() + ": read failed at byte " + std::to_string(offset) +
                          " (file truncated or unreadable)");
        out += got;
        offset += static_cast<uint64_t>(got);
        size -= static_cast<uint64_t>(got);
    }
}

torch::Tensor SafetensorsFile::loadRaw(const std::string &name) const
{
    const SafetensorsEntry &e = entry(name);
    const auto type = scalarTypeOf(e.dtype);
    if (!type)
        throwBadInput(m_path.string() + ": tensor '" + name + "' has dtype " + e.dtype +
                      " which cannot be loaded");
    torch::Tensor tensor = torch::empty(e.shape, torch::TensorOptions().dtype(*type));
    readAt(m_dataOffset + e.begin, tensor.data_ptr(), e.end - e.begin);
    return tensor;
}

torch::Tensor SafetensorsFile::loadFloat32(const std::string &name) const
{
    torch::Tensor raw = loadRaw(name);
    if (raw.scalar_type() == torch::kFloat32)
        return raw;
    if (!raw.is_floating_point())
        throwBadInput(m_path.string() + ": tensor '" + name + "' is " + entry(name).dtype +
                      ", expected a floating-point type");
    return raw.to(torch::kFloat32);
}

} // namespace ft
