#include "io/safetensorswriter.h"

#include "ft/error.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include <unistd.h>

namespace ft {

namespace {

const char *dtypeTag(torch::ScalarType t)
{
    switch (t) {
    case torch::kFloat32:
        return "F32";
    case torch::kFloat16:
        return "F16";
    case torch::kBFloat16:
        return "BF16";
    default:
        return nullptr;
    }
}

int64_t elementBytes(torch::ScalarType t)
{
    return t == torch::kFloat32 ? 4 : 2;
}

// Owns a FILE* on a temporary path; removes the file unless committed.
class TempFile
{
public:
    explicit TempFile(const std::filesystem::path &target)
        : m_target(target), m_tmp(target.parent_path() / ("." + target.filename().string() +
                                                          ".tmp-" + std::to_string(::getpid())))
    {
        m_fp = std::fopen(m_tmp.c_str(), "wb");
        if (!m_fp)
            fail("cannot create");
    }
    ~TempFile()
    {
        if (m_fp)
            std::fclose(m_fp);
        if (!m_committed) {
            std::error_code ec;
            std::filesystem::remove(m_tmp, ec);
        }
    }
    void write(const void *data, size_t bytes)
    {
        if (bytes && std::fwrite(data, 1, bytes, m_fp) != bytes)
            fail("cannot write");
    }
    void commit()
    {
        if (std::fflush(m_fp) != 0 || ::fsync(::fileno(m_fp)) != 0)
            fail("cannot write");
        const int rc = std::fclose(m_fp);
        m_fp = nullptr;
        if (rc != 0)
            fail("cannot write");
        std::error_code ec;
        std::filesystem::rename(m_tmp, m_target, ec);
        if (ec)
            throwBadInput("safetensors file " + m_target.string() + ": cannot rename " +
                          m_tmp.string() + " into place: " + ec.message());
        m_committed = true;
    }

private:
    [[noreturn]] void fail(const char *what)
    {
        throwBadInput("safetensors file " + m_target.string() + ": " + what + " " + m_tmp.string() +
                      ": " + std::strerror(errno));
    }

    std::filesystem::path m_target, m_tmp;
    std::FILE *m_fp = nullptr;
    bool m_committed = false;
};

} // namespace

void writeSafetensors(const std::filesystem::path &file,
                      const std::vector<SafetensorsWriteEntry> &entries,
                      const std::map<std::string, std::string> &metadata)
{
    // Header: insertion order is the data order (ordered_json keeps it).
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::set<std::string> seen;
    uint64_t offset = 0;
    for (const SafetensorsWriteEntry &e : entries) {
        const char *tag = dtypeTag(e.dtype);
        if (!tag)
            throw Error(ErrorKind::Internal, "safetensors writer: unsupported dtype for " + e.name);
        if (e.name == "__metadata__" || !seen.insert(e.name).second)
            throw Error(ErrorKind::Internal, "safetensors writer: bad or duplicate name " + e.name);
        uint64_t bytes = static_cast<uint64_t>(elementBytes(e.dtype));
        for (int64_t d : e.shape) {
            if (d < 0)
                throw Error(ErrorKind::Internal, "safetensors writer: negative dim in " + e.name);
            bytes *= static_cast<uint64_t>(d);
        }
        header[e.name] = {
            {"dtype", tag}, {"shape", e.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t headerLen = text.size();

    TempFile out(file);
    out.write(&headerLen, 8); // little-endian on every platform LibTorch runs on
    out.write(text.data(), text.size());
    for (const SafetensorsWriteEntry &e : entries) {
        torch::Tensor t = e.load();
        if (t.sizes().vec() != e.shape)
            throw Error(ErrorKind::Internal,
                        "safetensors writer: " + e.name + " has the wrong shape");
        t = t.to(torch::kCPU, e.dtype).contiguous();
        out.write(t.data_ptr(), static_cast<size_t>(t.numel() * elementBytes(e.dtype)));
    }
    out.commit();
}

void writeSafetensors(const std::filesystem::path &file,
                      const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                      const std::map<std::string, std::string> &metadata)
{
    std::vector<SafetensorsWriteEntry> entries;
    entries.reserve(tensors.size());
    for (const auto &[name, tensor] : tensors) {
        torch::Tensor t = tensor;
        entries.push_back({name, t.scalar_type(), t.sizes().vec(), [t] { return t; }});
    }
    writeSafetensors(file, entries, metadata);
}

} // namespace ft
