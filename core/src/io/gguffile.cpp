#include "io/gguffile.h"

#include "ft/error.h"
#include "io/ggufdequant.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ft {

namespace {

constexpr uint32_t kGgufMagic = 0x46554747; // "GGUF" read as a little-endian u32
constexpr uint32_t kMaxDims = 4;            // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 1;           // arrays of arrays: refused (llama.cpp does too)
// Smallest encodings, used to refuse counts the remaining bytes cannot hold before allocating.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1; // empty key, type, a u8 value
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;
// A JSON value costs ~16x a u8 element's file bytes: cap the elements of all arrays together.
// Real files hold well under a million (tokens, scores, types and merges of a 150k vocabulary).
constexpr uint64_t kMaxMetadataElements = uint64_t(1) << 25;
constexpr uint64_t kMaxReserve = uint64_t(1) << 16; // reserve no more up front than this

const char *valueTypeName(uint32_t t)
{
    static const char *const names[] = {"uint8",  "int8",    "uint16", "int16",  "uint32",
                                        "int32",  "float32", "bool",   "string", "array",
                                        "uint64", "int64",   "float64"};
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

// Bytes the smallest value of a type takes (0 for an unknown type).
uint64_t minValueBytes(uint32_t t)
{
    switch (static_cast<GgufValueType>(t)) {
    case GgufValueType::Uint8:
    case GgufValueType::Int8:
    case GgufValueType::Bool:
        return 1;
    case GgufValueType::Uint16:
    case GgufValueType::Int16:
        return 2;
    case GgufValueType::Uint32:
    case GgufValueType::Int32:
    case GgufValueType::Float32:
        return 4;
    case GgufValueType::Uint64:
    case GgufValueType::Int64:
    case GgufValueType::Float64:
        return 8;
    case GgufValueType::String:
        return 8;
    case GgufValueType::Array:
        return 12;
    }
    return 0;
}

// Bounds-checked little-endian cursor over the mapping.
class Cursor
{
public:
    Cursor(const GgufFile &file, const uint8_t *base, uint64_t size)
        : m_file(file), m_base(base), m_size(size)
    {
    }

    uint64_t pos() const { return m_pos; }
    uint64_t remaining() const { return m_size - m_pos; }

    void need(uint64_t bytes, const char *what) const
    {
        if (bytes > remaining())
            throwBadInput(m_file.describe("truncated: " + std::string(what) + " at byte " +
                                          std::to_string(m_pos) + " needs " +
                                          std::to_string(bytes) + " bytes but only " +
                                          std::to_string(remaining()) + " remain"));
    }

    template <typename T> T read(const char *what)
    {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, m_base + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }

    std::string readString(const char *what)
    {
        const uint64_t len = read<uint64_t>(what);
        if (len > remaining())
            throwBadInput(m_file.describe("string length " + std::to_string(len) + " of " + what +
                                          " at byte " + std::to_string(m_pos - 8) +
                                          " runs past the end of the file (" +
                                          std::to_string(remaining()) + " bytes remain)"));
        std::string s(reinterpret_cast<const char *>(m_base + m_pos), static_cast<size_t>(len));
        m_pos += len;
        return s;
    }

private:
    const GgufFile &m_file;
    const uint8_t *m_base;
    uint64_t m_size;
    uint64_t m_pos = 0;
};

nlohmann::json readScalar(Cursor &c, uint32_t type, const std::string &key)
{
    const char *what = "metadata value";
    switch (static_cast<GgufValueType>(type)) {
    case GgufValueType::Uint8:
        return c.read<uint8_t>(what);
    case GgufValueType::Int8:
        return c.read<int8_t>(what);
    case GgufValueType::Uint16:
        return c.read<uint16_t>(what);
    case GgufValueType::Int16:
        return c.read<int16_t>(what);
    case GgufValueType::Uint32:
        return c.read<uint32_t>(what);
    case GgufValueType::Int32:
        return c.read<int32_t>(what);
    case GgufValueType::Float32:
        return c.read<float>(what);
    case GgufValueType::Uint64:
        return c.read<uint64_t>(what);
    case GgufValueType::Int64:
        return c.read<int64_t>(what);
    case GgufValueType::Float64:
        return c.read<double>(what);
    case GgufValueType::Bool:
        return c.read<uint8_t>(what) != 0;
    case GgufValueType::String:
        return c.readString(what);
    case GgufValueType::Array:
        break;
    }
    return nullptr; // not reached: callers validate the type first
}

} // namespace

int64_t GgufTensorInfo::numel() const
{
    int64_t n = 1;
    for (int64_t d : ne)
        n *= d; // validated against overflow at parse time
    return n;
}

std::vector<int64_t> GgufTensorInfo::torchShape() const
{
    return std::vector<int64_t>(ne.rbegin(), ne.rend());
}

GgufFile::GgufFile(const std::filesystem::path &path) : m_path(path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throwBadInput(describe(std::string("cannot open: ") + std::strerror(errno)));
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throwBadInput(describe("not a regular file"));
    }
    m_size = static_cast<uint64_t>(st.st_size);
    if (m_size < 4) {
        ::close(fd);
        throwBadInput(describe("not a GGUF file: only " + std::to_string(m_size) + " bytes"));
    }
    void *p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int mapErrno = errno;
    ::close(fd);
    if (p == MAP_FAILED)
        throwBadInput(describe(std::string("cannot map the file: ") + std::strerror(mapErrno)));
    m_base = static_cast<const uint8_t *>(p);
    try {
        parse();
    } catch (...) {
        ::munmap(const_cast<uint8_t *>(m_base), m_size);
        m_base = nullptr;
        throw;
    }
}

GgufFile::~GgufFile()
{
    if (m_base)
        ::munmap(const_cast<uint8_t *>(m_base), m_size);
}

std::string GgufFile::describe(const std::string &what) const
{
    return "GGUF file " + m_path.string() + ": " + what;
}

void GgufFile::parse()
{
    Cursor c(*this, m_base, m_size);
    const uint32_t magic = c.read<uint32_t>("magic");
    if (magic != kGgufMagic)
        throwBadInput(describe("not a GGUF file (bad magic; expected \"GGUF\")"));
    m_version = c.read<uint32_t>("version");
    if (m_version == 1)
        throwBadInput(describe("GGUF version 1 is not supported (only versions 2 and 3)"));
    if (m_version != 2 && m_version != 3) {
        const bool bigEndian = (m_version & 0xFFFF) == 0 && (m_version >> 24) <= 3;
        throwBadInput(describe("unsupported GGUF version " + std::to_string(m_version) +
                               (bigEndian ? " (a big-endian file?)" : "") + "; supported: 2, 3"));
    }
    const uint64_t tensorCount = c.read<uint64_t>("tensor count");
    const uint64_t kvCount = c.read<uint64_t>("metadata count");
    if (kvCount > c.remaining() / kMinKvBytes)
        throwBadInput(describe("metadata count " + std::to_string(kvCount) +
                               " is more than the file's " + std::to_string(m_size) +
                               " bytes can hold"));
    if (tensorCount > c.remaining() / kMinTensorInfoBytes)
        throwBadInput(describe("tensor count " + std::to_string(tensorCount) +
                               " is more than the file's " + std::to_string(m_size) +
                               " bytes can hold"));

    uint64_t totalElements = 0;
    for (uint64_t i = 0; i < kvCount; ++i) {
        std::string key = c.readString("metadata key");
        if (m_metadata.contains(key))
            throwBadInput(describe("duplicate metadata key '" + key + "'"));
        const uint32_t type = c.read<uint32_t>("metadata value type");
        if (minValueBytes(type) == 0)
            throwBadInput(describe("metadata key '" + key + "' has unknown value type " +
                                   std::to_string(type)));
        if (static_cast<GgufValueType>(type) != GgufValueType::Array) {
            m_metadata[key] = readScalar(c, type, key);
            m_types[key] = {static_cast<GgufValueType>(type), static_cast<GgufValueType>(type)};
            continue;
        }
        const uint32_t elemType = c.read<uint32_t>("array element type");
        const uint64_t count = c.read<uint64_t>("array length");
        const uint64_t minBytes = minValueBytes(elemType);
        if (minBytes == 0)
            throwBadInput(describe("metadata array '" + key + "' has unknown element type " +
                                   std::to_string(elemType)));
        if (static_cast<GgufValueType>(elemType) == GgufValueType::Array)
            throwBadInput(describe("metadata array '" + key +
                                   "' holds arrays (nested arrays are not supported)"));
        static_assert(kMaxArrayDepth == 1, "nested arrays are refused above");
        if (count > c.remaining() / minBytes)
            throwBadInput(describe("metadata array '" + key + "' claims " + std::to_string(count) +
                                   " " + valueTypeName(elemType) +
                                   " elements, more than the remaining " +
                                   std::to_string(c.remaining()) + " bytes can hold"));
        totalElements += count;
        if (totalElements > kMaxMetadataElements)
            throwBadInput(describe("metadata arrays hold more than " +
                                   std::to_string(kMaxMetadataElements) +
                                   " elements in total (at '" + key + "')"));
        nlohmann::json arr = nlohmann::json::array();
        arr.get_ref<nlohmann::json::array_t &>().reserve(
            static_cast<size_t>(std::min(count, kMaxReserve)));
        for (uint64_t j = 0; j < count; ++j)
            arr.push_back(readScalar(c, elemType, key));
        m_metadata[key] = std::move(arr);
        m_types[key] = {GgufValueType::Array, static_cast<GgufValueType>(elemType)};
    }

    if (hasKey("general.alignment")) {
        if (valueType("general.alignment") != GgufValueType::Uint32)
            throwBadInput(describe("general.alignment must be a uint32"));
        m_alignment = m_metadata["general.alignment"].get<uint64_t>();
        if (m_alignment == 0 || (m_alignment & (m_alignment - 1)) != 0)
            throwBadInput(describe("general.alignment " + std::to_string(m_alignment) +
                                   " is not a power of two"));
    }

    m_tensors.reserve(static_cast<size_t>(std::min(tensorCount, kMaxReserve)));
    for (uint64_t i = 0; i < tensorCount; ++i) {
        GgufTensorInfo t;
        t.name = c.readString("tensor name");
        const std::string tn = "tensor '" + t.name + "'";
        if (m_tensorIndex.count(t.name))
            throwBadInput(describe("duplicate " + tn));
        const uint32_t nDims = c.read<uint32_t>("tensor dimension count");
        if (nDims == 0 || nDims > kMaxDims)
            throwBadInput(
                describe(tn + " has " + std::to_string(nDims) + " dimensions (1 to 4 allowed)"));
        uint64_t numel = 1;
        for (uint32_t d = 0; d < nDims; ++d) {
            const uint64_t n = c.read<uint64_t>("tensor dimension");
            if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
                (n != 0 && numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / n))
                throwBadInput(describe(tn + " has absurd dimensions (element count overflows)"));
            numel *= n;
            t.ne.push_back(static_cast<int64_t>(n));
        }
        t.type = c.read<uint32_t>("tensor type");
        const auto traits = ggmlTypeTraits(t.type);
        if (!traits)
            throwBadInput(describe(tn + " has unknown ggml type " + std::to_string(t.type)));
        if (t.ne[0] % traits->blockSize != 0)
            throwBadInput(describe(
                tn + " of type " + traits->name + " has a row length " + std::to_string(t.ne[0]) +
                " that is not a multiple of its block size " + std::to_string(traits->blockSize)));
        const uint64_t blocks = numel / static_cast<uint64_t>(traits->blockSize);
        if (blocks >
            std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(traits->bytesPerBlock))
            throwBadInput(describe(tn + " has absurd dimensions (byte size overflows)"));
        t.sizeBytes = blocks * static_cast<uint64_t>(traits->bytesPerBlock);
        t.offset = c.read<uint64_t>("tensor offset");
        if (t.offset % m_alignment != 0)
            throwBadInput(describe(tn + " offset " + std::to_string(t.offset) +
                                   " is not a multiple of the alignment " +
                                   std::to_string(m_alignment)));
        m_tensorIndex[t.name] = m_tensors.size();
        m_tensors.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t pos = c.pos();
    m_dataOffset = pos + (m_alignment - pos % m_alignment) % m_alignment;
    const uint64_t dataBytes = m_dataOffset <= m_size ? m_size - m_dataOffset : 0;
    for (const GgufTensorInfo &t : m_tensors) {
        if (t.offset > dataBytes || t.sizeBytes > dataBytes - t.offset)
            throwBadInput(describe("tensor '" + t.name + "' (" + std::to_string(t.sizeBytes) +
                                   " bytes at data offset " + std::to_string(t.offset) +
                                   ") lies beyond the end of the file (the data section holds " +
                                   std::to_string(dataBytes) + " bytes); truncated file?"));
    }
}

GgufValueType GgufFile::valueType(const std::string &key) const
{
    auto it = m_types.find(key);
    if (it == m_types.end())
        throwBadInput(describe("missing metadata key '" + key + "'"));
    return it->second.first;
}

GgufValueType GgufFile::arrayType(const std::string &key) const
{
    auto it = m_types.find(key);
    if (it == m_types.end())
        throwBadInput(describe("missing metadata key '" + key + "'"));
    if (it->second.first != GgufValueType::Array)
        throwBadInput(describe("metadata key '" + key + "' is not an array"));
    return it->second.second;
}

std::string GgufFile::getString(const std::string &key) const
{
    if (valueType(key) != GgufValueType::String)
        throwBadInput(describe("metadata key '" + key + "' is not a string"));
    return m_metadata.at(key).get<std::string>();
}

uint64_t GgufFile::getUint(const std::string &key) const
{
    const nlohmann::json &v = m_metadata.contains(key) ? m_metadata.at(key) : nlohmann::json();
    const GgufValueType t = valueType(key);
    if (t == GgufValueType::Float32 || t == GgufValueType::Float64 || t == GgufValueType::Bool ||
        t == GgufValueType::String || t == GgufValueType::Array || !v.is_number_integer() ||
        (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0))
        throwBadInput(describe("metadata key '" + key + "' is not a non-negative integer"));
    return v.get<uint64_t>();
}

double GgufFile::getFloat(const std::string &key) const
{
    const GgufValueType t = valueType(key);
    const nlohmann::json &v = m_metadata.at(key);
    if (t == GgufValueType::Bool || t == GgufValueType::String || t == GgufValueType::Array ||
        !v.is_number())
        throwBadInput(describe("metadata key '" + key + "' is not a number"));
    return v.get<double>();
}

bool GgufFile::getBool(const std::string &key) const
{
    if (valueType(key) != GgufValueType::Bool)
        throwBadInput(describe("metadata key '" + key + "' is not a bool"));
    return m_metadata.at(key).get<bool>();
}

const GgufTensorInfo *GgufFile::findTensor(const std::string &name) const
{
    auto it = m_tensorIndex.find(name);
    return it == m_tensorIndex.end() ? nullptr : &m_tensors[it->second];
}

const uint8_t *GgufFile::tensorData(const GgufTensorInfo &info) const
{
    return m_base + m_dataOffset + info.offset; // bounds validated in parse()
}

} // namespace ft
