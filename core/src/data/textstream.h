// A file read as UTF-8 in bounded chunks: a UTF-8 BOM is skipped; UTF-16 with a byte-order mark,
// and a file that is not valid UTF-8 but decodes cleanly as GB18030 (GBK is a subset), are
// converted with ICU on the fly.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace ft {

class TextStream
{
public:
    explicit TextStream(const std::filesystem::path &path);
    ~TextStream();
    TextStream(const TextStream &) = delete;
    TextStream &operator=(const TextStream &) = delete;

    // Up to `n` bytes of UTF-8 text; 0 at the end.
    size_t read(char *out, size_t n);
    // "utf-8", "utf-8-bom", "utf-16le", "utf-16be" or "gb18030".
    const std::string &encoding() const { return m_encoding; }
    uint64_t bytesRead() const { return m_rawRead; }
    uint64_t size() const { return m_size; }
    // A NUL byte in the first 64 KiB (not a text file).
    bool looksBinary() const { return m_binary; }

private:
    size_t readRaw(char *out, size_t n);
    std::FILE *m_file = nullptr;
    std::string m_encoding = "utf-8";
    uint64_t m_size = 0;
    uint64_t m_rawRead = 0;
    bool m_binary = false;
    std::string m_head; // the sniffed start, returned before the rest of the file
    size_t m_headPos = 0;
    struct Converter;
    std::unique_ptr<Converter> m_conv;
};

// True when `s` is valid UTF-8 (a sequence cut off at the very end counts as valid when
// `allowTruncatedEnd`).
bool isValidUtf8(const char *s, size_t n, bool allowTruncatedEnd = false);

} // namespace ft
