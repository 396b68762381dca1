#include "ft/jsonparse.h"

#include "ft/error.h"

#include <fstream>
#include <sstream>

namespace ft {

int jsonNestingDepth(std::string_view text)
{
    int depth = 0, deepest = 0;
    bool inString = false, escape = false;
    for (const char c : text) {
        if (inString) {
            if (escape)
                escape = false;
            else if (c == '\\')
                escape = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest)
                deepest = depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

void checkJsonDepth(std::string_view text, const std::string &where, int maxDepth)
{
    if (jsonNestingDepth(text) > maxDepth)
        throwBadInput(where + ": JSON nested deeper than " + std::to_string(maxDepth) + " levels");
}

nlohmann::json parseJsonBounded(const std::string &text, const std::string &where)
{
    checkJsonDepth(text, where);
    return nlohmann::json::parse(text);
}

nlohmann::ordered_json parseOrderedJsonBounded(const std::string &text, const std::string &where)
{
    checkJsonDepth(text, where);
    return nlohmann::ordered_json::parse(text);
}

std::string textExcerpt(std::string_view text, std::size_t maxChars)
{
    static const char *hex = "0123456789abcdef";
    std::string out;
    std::size_t shown = 0, i = 0;
    while (i < text.size() && shown < maxChars) {
        const auto c = static_cast<unsigned char>(text[i]);
        // Length of a well-formed UTF-8 sequence starting here (0: not one).
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len > 1) {
            if (i + len > text.size())
                len = 0;
            for (std::size_t k = 1; len && k < len; ++k)
                if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
                    len = 0;
        }
        if (len == 1 && c >= 0x20 && c != 0x7f) {
            out += static_cast<char>(c);
        } else if (len > 1) {
            out.append(text.substr(i, len));
        } else {
            out += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : c == '\r' ? std::string("\\r")
                       : std::string("\\x") + hex[c >> 4] + hex[c & 15];
            len = 1;
        }
        i += len;
        ++shown;
    }
    if (i < text.size())
        out += "...";
    return out;
}

std::string jsonErrorText(const std::exception &e)
{
    std::string what = e.what();
    const auto p = what.find("] ");
    if (p != std::string::npos && what.rfind("[json.exception", 0) == 0)
        what = what.substr(p + 2);
    return textExcerpt(what, 160);
}

namespace {

std::string readWholeFile(const std::filesystem::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throwBadInput(path.string() + ": cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throwBadInput(path.string() + ": read error");
    return ss.str();
}

template <class Json>
Json readBounded(const std::filesystem::path &path)
{
    const std::string text = readWholeFile(path);
    checkJsonDepth(text, path.string());
    try {
        return Json::parse(text);
    } catch (const nlohmann::json::exception &e) {
        throwBadInput(path.string() + ": not valid JSON (" + jsonErrorText(e) + ")");
    }
}

} // namespace

nlohmann::json readJsonFileBounded(const std::filesystem::path &path)
{
    return readBounded<nlohmann::json>(path);
}

nlohmann::ordered_json readOrderedJsonFileBounded(const std::filesystem::path &path)
{
    return readBounded<nlohmann::ordered_json>(path);
}

std::string jsonExcerpt(const nlohmann::json &value, std::size_t maxChars)
{
    // Values parsed through the helpers above are at most kMaxJsonDepth deep, so dump() is
    // bounded in recursion; replace invalid UTF-8 instead of throwing.
    return textExcerpt(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), maxChars);
}

} // namespace ft
