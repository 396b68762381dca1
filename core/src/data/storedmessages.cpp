#include "data/storedmessages.h"

#include "data/textstream.h"
#include "tokenizer/utf8.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ft {
namespace {

class Reader
{
public:
    explicit Reader(std::string_view text) : m_p(text.data()), m_end(text.data() + text.size()) {}

    bool done()
    {
        skipSpace();
        return m_p == m_end;
    }

    bool take(char c)
    {
        skipSpace();
        if (m_p == m_end || *m_p != c)
            return false;
        ++m_p;
        return true;
    }

    bool peek(char c)
    {
        skipSpace();
        return m_p != m_end && *m_p == c;
    }

    // A JSON string into `out` (replacing its text). False on anything nlohmann would reject and on
    // what this reader leaves to it.
    bool string(std::string &out)
    {
        if (!take('"'))
            return false;
        out.clear();
        unsigned char high = 0;  // the OR of the raw bytes: any non-ASCII byte to validate
        for (;;) {
            const char *run = m_p;
            while (m_p != m_end && *m_p != '"' && *m_p != '\\' && static_cast<unsigned char>(*m_p) >= 0x20)
                high |= static_cast<unsigned char>(*m_p++);
            out.append(run, static_cast<std::size_t>(m_p - run));
            if (m_p == m_end || static_cast<unsigned char>(*m_p) < 0x20)
                return false;  // unterminated, or a raw control character
            if (*m_p++ == '"')
                break;
            if (m_p == m_end)
                return false;
            switch (*m_p++) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u':
                if (!codeUnit(out))
                    return false;
                break;
            default: return false;
            }
        }
        return !(high & 0x80) || isValidUtf8(out.data(), out.size());
    }

private:
    void skipSpace()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }

    bool hex4(uint32_t &value)
    {
        if (m_end - m_p < 4)
            return false;
        value = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = *m_p++;
            value <<= 4;
            if (c >= '0' && c <= '9')
                value |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                value |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                value |= static_cast<uint32_t>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    // After "\u": one code point (a surrogate pair's two escapes), appended as UTF-8.
    bool codeUnit(std::string &out)
    {
        uint32_t cp = 0;
        if (!hex4(cp) || (cp >= 0xDC00 && cp <= 0xDFFF))
            return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
                return false;
            m_p += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
                return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        tok::appendUtf8(out, cp);
        return true;
    }

    const char *m_p;
    const char *m_end;
};

// One {"content": ..., "role": ...} object, the keys in either order, each once.
bool message(Reader &in, ChatMessage &out, std::string &key)
{
    if (!in.take('{'))
        return false;
    bool role = false, content = false;
    do {
        if (!in.string(key) || !in.take(':'))
            return false;
        if (key == "content" && !content) {
            content = true;
            if (!in.string(out.content))
                return false;
        } else if (key == "role" && !role) {
            role = true;
            if (!in.string(out.role))
                return false;
        } else {
            return false;  // other or repeated keys: nlohmann's reading decides
        }
    } while (in.take(','));
    return role && content && in.take('}');
}

} // namespace

bool readStoredMessagesDirect(std::string_view text, std::vector<ChatMessage> &out)
{
    Reader in(text);
    if (!in.take('['))
        return false;
    std::size_t count = 0;
    std::string key;
    if (!in.peek(']')) {
        do {
            if (count == out.size())
                out.emplace_back();
            if (!message(in, out[count++], key))
                return false;
        } while (in.take(','));
    }
    if (!in.take(']') || !in.done())
        return false;
    out.resize(count);
    return true;
}

void readStoredMessages(std::string_view text, std::vector<ChatMessage> &out, int64_t rowIndex, bool edited)
{
    if (readStoredMessagesDirect(text, out))
        return;
    const auto parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    out = messagesFromJson(parsed, "row " + std::to_string(rowIndex) + (edited ? " (edited)" : ""));
}

} // namespace ft
