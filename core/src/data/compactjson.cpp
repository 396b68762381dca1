#include "data/compactjson.h"

namespace ft {
namespace {

bool isAscii(std::string_view text)
{
    unsigned char any = 0;
    for (const char c : text)
        any |= static_cast<unsigned char>(c);
    return any < 0x80;
}

// The escapes nlohmann writes when ensure_ascii is off: the two-character ones it has names
// for, \u00xx (lower-case hex) for the other control characters, everything else as it is.
void appendEscaped(std::string &out, unsigned char c)
{
    static const char *hex = "0123456789abcdef";
    switch (c) {
    case '\b': out += "\\b"; return;
    case '\t': out += "\\t"; return;
    case '\n': out += "\\n"; return;
    case '\f': out += "\\f"; return;
    case '\r': out += "\\r"; return;
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    default: break;
    }
    const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
    out.append(u, 6);
}

} // namespace

void appendCompactJsonString(std::string &out, std::string_view text)
{
    if (!isAscii(text)) {
        out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
    out += '"';
    size_t run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(text.data() + run, i - run);
        appendEscaped(out, c);
        run = i + 1;
    }
    out.append(text.data() + run, text.size() - run);
    out += '"';
}

void appendCompactJson(std::string &out, const nlohmann::json &value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::object: {
        out += '{';
        bool first = true;
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (!first)
                out += ',';
            first = false;
            appendCompactJsonString(out, it.key());
            out += ':';
            appendCompactJson(out, it.value());
        }
        out += '}';
        return;
    }
    case nlohmann::json::value_t::array: {
        out += '[';
        bool first = true;
        for (const auto &item : value) {
            if (!first)
                out += ',';
            first = false;
            appendCompactJson(out, item);
        }
        out += ']';
        return;
    }
    case nlohmann::json::value_t::string:
        appendCompactJsonString(out, value.get_ref<const std::string &>());
        return;
    default: // numbers, booleans, null, binary: nlohmann's own formatting
        out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
}

std::string compactJson(const nlohmann::json &value)
{
    std::string out;
    appendCompactJson(out, value);
    return out;
}

} // namespace ft
