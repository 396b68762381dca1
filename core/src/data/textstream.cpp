#include "data/textstream.h"

#include "ft/error.h"

#include <unicode/ucnv.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ft {

bool isValidUtf8(const char *s, size_t n, bool allowTruncatedEnd)
{
    const auto *p = reinterpret_cast<const unsigned char *>(s);
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint32_t cp;
        if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
        else return false;
        if (i + len > n) {
            if (!allowTruncatedEnd)
                return false;
            for (size_t k = i + 1; k < n; ++k)
                if ((p[k] & 0xc0) != 0x80)
                    return false;
            return true;
        }
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

// ICU GB18030 / UTF-16 -> UTF-8 through a UTF-16 pivot, carrying partial sequences between chunks.
struct TextStream::Converter
{
    UConverter *from = nullptr;
    UConverter *to = nullptr;
    std::vector<UChar> pivot = std::vector<UChar>(8192);
    UChar *pivotSource = nullptr;
    UChar *pivotTarget = nullptr;
    std::vector<char> raw = std::vector<char>(1 << 16);
    size_t rawBegin = 0, rawEnd = 0;
    bool eof = false, reset = true, done = false;

    explicit Converter(const char *encoding)
    {
        UErrorCode err = U_ZERO_ERROR;
        from = ucnv_open(encoding, &err);
        to = ucnv_open("UTF-8", &err);
        if (U_FAILURE(err))
            throw Error(ErrorKind::Internal, std::string("ICU: cannot open the ") + encoding + " converter (" +
                                                 u_errorName(err) + ")");
        pivotSource = pivotTarget = pivot.data();
    }
    ~Converter()
    {
        ucnv_close(from);
        ucnv_close(to);
    }
};

static bool decodesAsGb18030(const std::string &sample, bool complete)
{
    UErrorCode err = U_ZERO_ERROR;
    UConverter *cnv = ucnv_open("GB18030", &err);
    if (U_FAILURE(err))
        return false;
    ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
    std::vector<UChar> out(sample.size() + 16);
    UChar *target = out.data();
    const char *source = sample.data();
    ucnv_toUnicode(cnv, &target, out.data() + out.size(), &source, sample.data() + sample.size(), nullptr,
                   complete, &err);
    ucnv_close(cnv);
    return U_SUCCESS(err);
}

TextStream::TextStream(const std::filesystem::path &path)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throwBadInput(path.string() + ": is a folder, not a file");
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file)
        throwBadInput(path.string() + ": cannot open (" + std::strerror(errno) + ")");
    m_size = std::filesystem::file_size(path, ec);
    m_head.resize(1 << 16);
    m_head.resize(std::fread(m_head.data(), 1, m_head.size(), m_file));
    m_rawRead = m_head.size();
    m_binary = std::memchr(m_head.data(), 0, m_head.size()) != nullptr;
    const bool complete = m_rawRead >= m_size;
    if (m_head.size() >= 3 && std::memcmp(m_head.data(), "\xEF\xBB\xBF", 3) == 0) {
        m_encoding = "utf-8-bom";
        m_headPos = 3;
    } else if (m_head.size() >= 2 && (std::memcmp(m_head.data(), "\xFF\xFE", 2) == 0 ||
                                      std::memcmp(m_head.data(), "\xFE\xFF", 2) == 0)) {
        // UTF-16 with its byte-order mark (Windows Notepad's "Unicode"): NUL bytes are text here.
        const bool little = m_head[0] == '\xFF';
        m_encoding = little ? "utf-16le" : "utf-16be";
        m_headPos = 2;
        m_binary = false;
        m_conv = std::make_unique<Converter>(little ? "UTF-16LE" : "UTF-16BE");
    } else if (!m_binary && !isValidUtf8(m_head.data(), m_head.size(), !complete) &&
               decodesAsGb18030(m_head, complete)) {
        m_encoding = "gb18030";
        m_conv = std::make_unique<Converter>("GB18030");
    }
}

TextStream::~TextStream()
{
    if (m_file)
        std::fclose(m_file);
}

size_t TextStream::readRaw(char *out, size_t n)
{
    if (m_headPos < m_head.size()) {
        const size_t k = std::min(n, m_head.size() - m_headPos);
        std::memcpy(out, m_head.data() + m_headPos, k);
        m_headPos += k;
        return k;
    }
    const size_t k = std::fread(out, 1, n, m_file);
    m_rawRead += k;
    return k;
}

size_t TextStream::read(char *out, size_t n)
{
    if (!m_conv)
        return readRaw(out, n);
    Converter &c = *m_conv;
    if (c.done)
        return 0;
    char *target = out;
    while (target == out && !c.done) {
        if (c.rawBegin == c.rawEnd && !c.eof) {
            c.rawBegin = 0;
            c.rawEnd = readRaw(c.raw.data(), c.raw.size());
            c.eof = c.rawEnd == 0;
        }
        const char *source = c.raw.data() + c.rawBegin;
        UErrorCode err = U_ZERO_ERROR;
        // Undecodable bytes become U+FFFD (the default substitution); the row shows them.
        ucnv_convertEx(c.to, c.from, &target, out + n, &source, c.raw.data() + c.rawEnd, c.pivot.data(),
                       &c.pivotSource, &c.pivotTarget, c.pivot.data() + c.pivot.size(), c.reset, c.eof, &err);
        c.reset = false;
        c.rawBegin = static_cast<size_t>(source - c.raw.data());
        if (err == U_BUFFER_OVERFLOW_ERROR)
            break;
        if (U_FAILURE(err))
            throw Error(ErrorKind::Internal, std::string("ICU conversion failed (") + u_errorName(err) + ")");
        if (c.eof)
            c.done = true;
    }
    return static_cast<size_t>(target - out);
}

} // namespace ft
