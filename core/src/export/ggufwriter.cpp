#include "export/ggufwriter.h"

#include "ft/error.h"
#include "io/ggufdequant.h"

#include <cstdio>
#include <cstring>
#include <fstream>

#include <unistd.h>

namespace ft {

namespace {

constexpr uint32_t kVersion = 3;
constexpr uint64_t kAlignment = 32; // GGUF_DEFAULT_ALIGNMENT
// gguf.md value types
constexpr uint32_t kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kString = 8, kArray = 9;

template <typename T> void put(std::vector<uint8_t> &out, T v)
{
    uint8_t b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.insert(out.end(), b, b + sizeof(T));
}

void putString(std::vector<uint8_t> &out, const std::string &s)
{
    put<uint64_t>(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

uint64_t padTo(uint64_t n)
{
    return (kAlignment - n % kAlignment) % kAlignment;
}

} // namespace

void GgufWriter::key(const std::string &k, uint32_t valueType)
{
    putString(m_kv, k);
    put<uint32_t>(m_kv, valueType);
    ++m_kvCount;
}

void GgufWriter::addString(const std::string &k, const std::string &value)
{
    key(k, kString);
    putString(m_kv, value);
}

void GgufWriter::addUint32(const std::string &k, uint32_t value)
{
    key(k, kU32);
    put(m_kv, value);
}

void GgufWriter::addInt32(const std::string &k, int32_t value)
{
    key(k, kI32);
    put(m_kv, value);
}

void GgufWriter::addFloat32(const std::string &k, float value)
{
    key(k, kF32);
    put(m_kv, value);
}

void GgufWriter::addBool(const std::string &k, bool value)
{
    key(k, kBool);
    put<uint8_t>(m_kv, value ? 1 : 0);
}

void GgufWriter::addStringArray(const std::string &k, const std::vector<std::string> &values)
{
    key(k, kArray);
    put(m_kv, kString);
    put<uint64_t>(m_kv, values.size());
    for (const std::string &v : values)
        putString(m_kv, v);
}

void GgufWriter::addFloat32Array(const std::string &k, const std::vector<float> &values)
{
    key(k, kArray);
    put(m_kv, kF32);
    put<uint64_t>(m_kv, values.size());
    for (float v : values)
        put(m_kv, v);
}

void GgufWriter::addInt32Array(const std::string &k, const std::vector<int32_t> &values)
{
    key(k, kArray);
    put(m_kv, kI32);
    put<uint64_t>(m_kv, values.size());
    for (int32_t v : values)
        put(m_kv, v);
}

void GgufWriter::addTensor(const std::string &name, const std::vector<int64_t> &ne,
                           uint32_t ggmlType, Producer bytes)
{
    const auto traits = *ggmlTypeTraits(ggmlType);
    int64_t numel = 1;
    for (int64_t n : ne)
        numel *= n;
    const uint64_t size = static_cast<uint64_t>(numel / traits.blockSize) *
                          static_cast<uint64_t>(traits.bytesPerBlock);
    m_tensors.push_back({name, ne, ggmlType, size, std::move(bytes)});
}

void GgufWriter::write(const std::filesystem::path &file) const
{
    std::vector<uint8_t> head;
    put<uint32_t>(head, 0x46554747); // "GGUF"
    put<uint32_t>(head, kVersion);
    put<uint64_t>(head, m_tensors.size());
    put<uint64_t>(head, m_kvCount);
    head.insert(head.end(), m_kv.begin(), m_kv.end());
    uint64_t offset = 0;
    for (const Tensor &t : m_tensors) {
        putString(head, t.name);
        put<uint32_t>(head, static_cast<uint32_t>(t.ne.size()));
        for (int64_t n : t.ne)
            put<uint64_t>(head, static_cast<uint64_t>(n));
        put<uint32_t>(head, t.type);
        put<uint64_t>(head, offset);
        offset += t.sizeBytes + padTo(t.sizeBytes);
    }
    head.resize(head.size() + padTo(head.size()), 0);

    const std::filesystem::path tmp = file.parent_path() / ("." + file.filename().string() +
                                                            ".tmp-" + std::to_string(::getpid()));
    try {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throwBadInput("cannot create " + tmp.string());
        out.write(reinterpret_cast<const char *>(head.data()),
                  static_cast<std::streamsize>(head.size()));
        const char zeros[kAlignment] = {};
        for (const Tensor &t : m_tensors) {
            const std::vector<uint8_t> data = t.bytes();
            if (data.size() != t.sizeBytes)
                throw Error(ErrorKind::Internal, "GGUF writer: tensor " + t.name + " produced " +
                                                     std::to_string(data.size()) +
                                                     " bytes, expected " +
                                                     std::to_string(t.sizeBytes));
            out.write(reinterpret_cast<const char *>(data.data()),
                      static_cast<std::streamsize>(data.size()));
            out.write(zeros, static_cast<std::streamsize>(padTo(t.sizeBytes)));
        }
        out.close();
        if (!out)
            throwBadInput("cannot write " + file.string() + " (disk full?)");
        std::filesystem::rename(tmp, file);
    } catch (const std::filesystem::filesystem_error &e) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throwBadInput("cannot write " + file.string() + ": " + e.what());
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
}

} // namespace ft
