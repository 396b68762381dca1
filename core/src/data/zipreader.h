// A small reader for ZIP archives (DOCX and other Office files): the central directory, and
// entries stored or deflated (zlib's raw inflate). Sizes are bounded against zip bombs: an entry
// whose declared or actual uncompressed size passes the caller's limit is an error, never a
// large allocation. ZIP64, encryption and other methods are refused with a message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ft {

class ZipReader
{
public:
    struct Entry
    {
        std::string name;
        uint16_t method = 0;
        uint16_t flags = 0;
        uint32_t crc = 0;
        uint64_t compressedSize = 0;
        uint64_t size = 0;
        uint64_t localHeaderOffset = 0;
    };

    // Throws std::runtime_error ("not a ZIP archive ...") when the central directory is unreadable.
    explicit ZipReader(const std::filesystem::path &path);
    const std::vector<Entry> &entries() const { return m_entries; }
    const Entry *find(const std::string &name) const;
    // The entry's bytes; throws std::runtime_error when they would pass `maxBytes`, are damaged
    // (CRC, truncated) or use a method other than stored/deflate.
    std::string read(const Entry &entry, uint64_t maxBytes) const;

private:
    std::filesystem::path m_path;
    uint64_t m_fileSize = 0;
    std::vector<Entry> m_entries;
};

} // namespace ft
