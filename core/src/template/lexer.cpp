#include "template/lexer.h"

#include "ft/error.h"

#include <cctype>
#include <cstring>

namespace ft::tpl {
namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

[[noreturn]] void fail(int line, const std::string &what)
{
    throwBadInput("chat template: line " + std::to_string(line) + ": " + what);
}

void appendUtf8(std::string &out, uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class Scanner
{
public:
    explicit Scanner(const std::string &src) : s(src) {}

    std::vector<Token> run()
    {
        bool lineStarting = true;
        while (pos < s.size()) {
            // Find the next tag start.
            std::size_t next = pos;
            char kind = 0;
            while (true) {
                next = s.find('{', next);
                if (next == std::string::npos || next + 1 >= s.size()) {
                    next = std::string::npos;
                    break;
                }
                const char c = s[next + 1];
                if (c == '{' || c == '%' || c == '#') {
                    kind = c;
                    break;
                }
                ++next;
            }
            std::string text = s.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
            if (next == std::string::npos) {
                emitText(text);
                break;
            }
            const char modifier = next + 2 < s.size() ? s[next + 2] : 0;
            if (modifier == '-') {
                std::size_t e = text.size();
                while (e > 0 && isSpace(text[e - 1]))
                    --e;
                line += countNewlines(text, e);
                text.resize(e);
            } else if (modifier != '+' && kind != '{') {
                // lstrip_blocks
                const auto nl = text.rfind('\n');
                const std::size_t lpos = nl == std::string::npos ? 0 : nl + 1;
                if (lpos > 0 || lineStarting) {
                    bool allSpace = lpos < text.size();
                    for (std::size_t i = lpos; i < text.size(); ++i)
                        if (!isSpace(text[i]))
                            allSpace = false;
                    if (allSpace)
                        text.resize(lpos);
                }
            }
            emitText(text);
            pos = next + 2 + ((modifier == '-' || modifier == '+') ? 1 : 0);
            const int tagLine = line;
            if (kind == '#') {
                const auto end = s.find("#}", pos);
                if (end == std::string::npos)
                    fail(tagLine, "unclosed comment: missing '#}'");
                const bool strip = end > pos && s[end - 1] == '-';
                const bool keep = end > pos && s[end - 1] == '+';
                line += countNewlines(s.substr(pos, end - pos));
                pos = end + 2;
                lineStarting = afterTag(strip, !keep);
                continue;
            }
            if (kind == '%' && tryRaw(tagLine, lineStarting))
                continue;
            tokens.push_back({kind == '{' ? Token::Type::VarBegin : Token::Type::BlockBegin, {}, tagLine});
            lineStarting = lexExpression(kind == '{' ? '}' : '%', tagLine);
        }
        tokens.push_back({Token::Type::End, {}, line});
        return std::move(tokens);
    }

private:
    const std::string &s;
    std::size_t pos = 0;
    int line = 1;
    std::vector<Token> tokens;

    static int countNewlines(const std::string &t, std::size_t from = 0)
    {
        int n = 0;
        for (std::size_t i = from; i < t.size(); ++i)
            n += t[i] == '\n';
        return n;
    }

    void emitText(const std::string &text)
    {
        if (!text.empty())
            tokens.push_back({Token::Type::Text, text, line});
        line += countNewlines(text);
    }

    // After a tag end at `pos`: '-' strips following whitespace; trim_blocks eats one newline.
    // Returns whether the consumed tag ended with a newline (jinja2's line_starting).
    bool afterTag(bool strip, bool trim)
    {
        if (strip) {
            while (pos < s.size() && isSpace(s[pos])) {
                line += s[pos] == '\n';
                ++pos;
            }
            return false;
        }
        if (trim && pos < s.size() && s[pos] == '\n') {
            ++pos;
            ++line;
            return true;
        }
        return false;
    }

    bool tryRaw(int tagLine, bool &lineStarting)
    {
        std::size_t p = pos;
        while (p < s.size() && isSpace(s[p]))
            ++p;
        if (s.compare(p, 3, "raw") != 0)
            return false;
        p += 3;
        while (p < s.size() && isSpace(s[p]))
            ++p;
        const bool strip = p < s.size() && s[p] == '-';
        if (p < s.size() && (s[p] == '-' || s[p] == '+'))
            ++p;
        if (s.compare(p, 2, "%}") != 0)
            return false;
        pos = p + 2;
        afterTag(strip, true);
        // Find {% endraw %}
        std::size_t search = pos;
        while (true) {
            const auto b = s.find("{%", search);
            if (b == std::string::npos)
                fail(tagLine, "unclosed raw block: missing '{% endraw %}'");
            std::size_t q = b + 2;
            const bool lstrip = q < s.size() && s[q] == '-';
            if (q < s.size() && (s[q] == '-' || s[q] == '+'))
                ++q;
            while (q < s.size() && isSpace(s[q]))
                ++q;
            if (s.compare(q, 6, "endraw") == 0) {
                q += 6;
                while (q < s.size() && isSpace(s[q]))
                    ++q;
                const bool rstrip = q < s.size() && s[q] == '-';
                if (q < s.size() && (s[q] == '-' || s[q] == '+'))
                    ++q;
                if (s.compare(q, 2, "%}") == 0) {
                    std::string body = s.substr(pos, b - pos);
                    if (lstrip)
                        while (!body.empty() && isSpace(body.back()))
                            body.pop_back();
                    emitText(body);
                    pos = q + 2;
                    lineStarting = afterTag(rstrip, true);
                    return true;
                }
            }
            search = b + 2;
        }
    }

    // Lexes expression tokens until the closing "}}" or "%}". Returns line_starting.
    bool lexExpression(char closer, int tagLine)
    {
        int depth = 0;
        while (true) {
            while (pos < s.size() && isSpace(s[pos])) {
                line += s[pos] == '\n';
                ++pos;
            }
            if (pos >= s.size())
                fail(tagLine, closer == '}' ? "unclosed '{{': missing '}}'" : "unclosed '{%': missing '%}'");
            const char c = s[pos];
            if (depth == 0) {
                const bool mod = (c == '-' || c == '+') && pos + 2 < s.size() + 0 && s[pos + 1] == closer &&
                                 s[pos + 2] == '}';
                if (mod || (c == closer && pos + 1 < s.size() && s[pos + 1] == '}')) {
                    tokens.push_back({closer == '}' ? Token::Type::VarEnd : Token::Type::BlockEnd, {}, line});
                    pos += mod ? 3 : 2;
                    if (closer == '}')
                        return afterTag(mod && c == '-', false);
                    return afterTag(mod && c == '-', !(mod && c == '+'));
                }
            }
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                std::size_t e = pos;
                while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_'))
                    ++e;
                tokens.push_back({Token::Type::Name, s.substr(pos, e - pos), line});
                pos = e;
            } else if (std::isdigit(static_cast<unsigned char>(c))) {
                std::size_t e = pos;
                bool isFloat = false;
                while (e < s.size() && (std::isdigit(static_cast<unsigned char>(s[e])) || s[e] == '_'))
                    ++e;
                if (e + 1 < s.size() && s[e] == '.' && std::isdigit(static_cast<unsigned char>(s[e + 1]))) {
                    isFloat = true;
                    ++e;
                    while (e < s.size() && std::isdigit(static_cast<unsigned char>(s[e])))
                        ++e;
                }
                if (e < s.size() && (s[e] == 'e' || s[e] == 'E')) {
                    std::size_t f = e + 1;
                    if (f < s.size() && (s[f] == '+' || s[f] == '-'))
                        ++f;
                    if (f < s.size() && std::isdigit(static_cast<unsigned char>(s[f]))) {
                        isFloat = true;
                        e = f;
                        while (e < s.size() && std::isdigit(static_cast<unsigned char>(s[e])))
                            ++e;
                    }
                }
                std::string num;
                for (std::size_t i = pos; i < e; ++i)
                    if (s[i] != '_')
                        num += s[i];
                tokens.push_back({isFloat ? Token::Type::Float : Token::Type::Int, num, line});
                pos = e;
            } else if (c == '\'' || c == '"') {
                lexString(c);
            } else {
                static const char *ops[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~",
                                            "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "="};
                bool matched = false;
                for (const char *op : ops) {
                    const std::size_t n = std::strlen(op);
                    if (s.compare(pos, n, op) == 0) {
                        tokens.push_back({Token::Type::Op, op, line});
                        pos += n;
                        if (n == 1 && (c == '(' || c == '[' || c == '{'))
                            ++depth;
                        if (n == 1 && (c == ')' || c == ']' || c == '}'))
                            --depth;
                        matched = true;
                        break;
                    }
                }
                if (!matched)
                    fail(line, std::string("unexpected character '") + c + "'");
            }
        }
    }

    void lexString(char quote)
    {
        const int startLine = line;
        std::string out;
        ++pos;
        while (true) {
            if (pos >= s.size())
                fail(startLine, "unterminated string literal");
            const char c = s[pos];
            if (c == quote) {
                ++pos;
                break;
            }
            if (c == '\n')
                ++line;
            if (c != '\\') {
                out += c;
                ++pos;
                continue;
            }
            if (pos + 1 >= s.size())
                fail(startLine, "unterminated string literal");
            const char e = s[pos + 1];
            pos += 2;
            switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case '0': out += '\0'; break;
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'v': out += '\v'; break;
            case '\\': out += '\\'; break;
            case '\'': out += '\''; break;
            case '"': out += '"'; break;
            case '\n': ++line; break;
            case 'x':
            case 'u':
            case 'U': {
                const std::size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (pos + n > s.size())
                    fail(startLine, "truncated \\" + std::string(1, e) + " escape");
                uint32_t cp = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    const char h = s[pos + i];
                    if (!std::isxdigit(static_cast<unsigned char>(h)))
                        fail(startLine, "bad \\" + std::string(1, e) + " escape");
                    cp = cp * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h))
                                                             ? h - '0'
                                                             : std::tolower(h) - 'a' + 10);
                }
                pos += n;
                appendUtf8(out, cp);
                break;
            }
            default:
                out += '\\';
                out += e;
            }
        }
        tokens.push_back({Token::Type::String, out, startLine});
    }
};

} // namespace

std::vector<Token> Lexer::tokenize(const std::string &source)
{
    // jinja2 normalises newlines and drops one trailing newline (keep_trailing_newline=False).
    std::string src;
    src.reserve(source.size());
    for (std::size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            src += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n')
                ++i;
        } else {
            src += source[i];
        }
    }
    if (!src.empty() && src.back() == '\n')
        src.pop_back();
    return Scanner(src).run();
}

} // namespace ft::tpl
