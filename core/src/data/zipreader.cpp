#include "data/zipreader.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace ft {

namespace {

struct FileCloser
{
    void operator()(std::FILE *f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

uint16_t le16(const unsigned char *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const unsigned char *p)
{
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
           (static_cast<uint32_t>(p[3]) << 24);
}

[[noreturn]] void fail(const std::string &why) { throw std::runtime_error(why); }

File openFile(const std::filesystem::path &path)
{
    File f(std::fopen(path.c_str(), "rb"));
    if (!f)
        fail("cannot open");
    return f;
}

void readAt(std::FILE *f, uint64_t offset, void *out, size_t n, const char *what)
{
    if (fseeko(f, static_cast<off_t>(offset), SEEK_SET) != 0 || std::fread(out, 1, n, f) != n)
        fail(std::string("damaged ZIP archive (") + what + " cut off)");
}

constexpr uint32_t kEndOfCentralDir = 0x06054b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kMaxComment = 0xffff;
constexpr uint64_t kMaxCentralDirectory = uint64_t(64) << 20;

} // namespace

ZipReader::ZipReader(const std::filesystem::path &path) : m_path(path)
{
    File f = openFile(path);
    std::error_code ec;
    m_fileSize = std::filesystem::file_size(path, ec);
    if (ec || m_fileSize < kEndRecordSize)
        fail("not a ZIP archive (too short)");
    // The end record sits in the last 22 bytes plus a comment of up to 64 KiB.
    const uint64_t tail = std::min<uint64_t>(m_fileSize, kEndRecordSize + kMaxComment);
    std::vector<unsigned char> buf(tail);
    readAt(f.get(), m_fileSize - tail, buf.data(), buf.size(), "end record");
    const unsigned char *end = nullptr;
    for (size_t i = buf.size() - kEndRecordSize + 1; i-- > 0;)
        if (le32(&buf[i]) == kEndOfCentralDir) {
            end = &buf[i];
            break;
        }
    if (!end)
        fail("not a ZIP archive (no central directory)");
    const uint16_t count = le16(end + 10);
    const uint32_t cdSize = le32(end + 12), cdOffset = le32(end + 16);
    if (count == 0xffff || cdSize == 0xffffffffu || cdOffset == 0xffffffffu)
        fail("ZIP64 archive (not supported)");
    if (uint64_t(cdOffset) + cdSize > m_fileSize || cdSize > kMaxCentralDirectory)
        fail("damaged ZIP archive (central directory outside the file)");
    std::vector<unsigned char> cd(cdSize);
    readAt(f.get(), cdOffset, cd.data(), cd.size(), "central directory");
    size_t pos = 0;
    for (uint16_t i = 0; i < count; ++i) {
        if (pos + 46 > cd.size() || le32(&cd[pos]) != kCentralHeader)
            fail("damaged ZIP archive (central directory entry " + std::to_string(i + 1) + ")");
        const unsigned char *h = &cd[pos];
        Entry e;
        e.flags = le16(h + 8);
        e.method = le16(h + 10);
        e.crc = le32(h + 16);
        e.compressedSize = le32(h + 20);
        e.size = le32(h + 24);
        const uint16_t nameLen = le16(h + 28), extraLen = le16(h + 30), commentLen = le16(h + 32);
        e.localHeaderOffset = le32(h + 42);
        if (pos + 46 + nameLen > cd.size())
            fail("damaged ZIP archive (entry name cut off)");
        e.name.assign(reinterpret_cast<const char *>(h + 46), nameLen);
        if (e.compressedSize == 0xffffffffu || e.size == 0xffffffffu || e.localHeaderOffset == 0xffffffffu)
            fail("ZIP64 archive (not supported)");
        m_entries.push_back(std::move(e));
        pos += 46 + size_t(nameLen) + extraLen + commentLen;
    }
}

const ZipReader::Entry *ZipReader::find(const std::string &name) const
{
    for (const auto &e : m_entries)
        if (e.name == name)
            return &e;
    return nullptr;
}

std::string ZipReader::read(const Entry &e, uint64_t maxBytes) const
{
    const std::string what = "'" + e.name + "'";
    if (e.flags & 1)
        fail(what + " is encrypted");
    if (e.method != 0 && e.method != 8)
        fail(what + " uses compression method " + std::to_string(e.method) + " (only stored and deflate are read)");
    if (e.size > maxBytes)
        fail(what + " declares " + std::to_string(e.size) + " bytes uncompressed, over the limit of " +
             std::to_string(maxBytes) + " (a zip bomb?)");
    if (e.compressedSize > maxBytes + (uint64_t(1) << 20)) // deflate never grows data by that much
        fail(what + " holds " + std::to_string(e.compressedSize) + " compressed bytes, over the limit of " +
             std::to_string(maxBytes));
    File f = openFile(m_path);
    unsigned char local[30];
    readAt(f.get(), e.localHeaderOffset, local, sizeof local, "local header");
    if (le32(local) != kLocalHeader)
        fail("damaged ZIP archive (no local header for " + what + ")");
    const uint64_t dataOffset = e.localHeaderOffset + 30 + le16(local + 26) + le16(local + 28);
    if (dataOffset + e.compressedSize > m_fileSize)
        fail("damaged ZIP archive (" + what + " runs past the end of the file)");
    std::string in(e.compressedSize, '\0');
    readAt(f.get(), dataOffset, in.data(), in.size(), "entry data");

    std::string out;
    if (e.method == 0) {
        out = std::move(in);
    } else {
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
            fail("zlib inflateInit2 failed");
        z.next_in = reinterpret_cast<Bytef *>(in.data());
        z.avail_in = static_cast<uInt>(in.size());
        std::vector<char> chunk(1 << 16);
        int rc = Z_OK;
        while (rc != Z_STREAM_END) {
            z.next_out = reinterpret_cast<Bytef *>(chunk.data());
            z.avail_out = static_cast<uInt>(chunk.size());
            rc = inflate(&z, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END) {
                inflateEnd(&z);
                fail("damaged ZIP archive (" + what + " does not inflate: " + (z.msg ? z.msg : "data error") + ")");
            }
            const size_t produced = chunk.size() - z.avail_out;
            if (out.size() + produced > maxBytes) {
                inflateEnd(&z);
                fail(what + " inflates past the limit of " + std::to_string(maxBytes) + " bytes (a zip bomb?)");
            }
            out.append(chunk.data(), produced);
            if (rc == Z_OK && produced == 0 && z.avail_in == 0) {
                inflateEnd(&z);
                fail("damaged ZIP archive (" + what + " is cut off)");
            }
        }
        inflateEnd(&z);
    }
    if (out.size() != e.size)
        fail("damaged ZIP archive (" + what + " has " + std::to_string(out.size()) + " bytes, the directory says " +
             std::to_string(e.size) + ")");
    if (crc32(0L, reinterpret_cast<const Bytef *>(out.data()), static_cast<uInt>(out.size())) != e.crc)
        fail("damaged ZIP archive (" + what + " fails its CRC check)");
    return out;
}

} // namespace ft
