// Python's str methods as chat templates use them (strip, split, replace, title, ...), with
// Python's semantics for whitespace and separators; the building blocks of the filters and of
// "str".method() calls in builtins.cpp.
#include "template/pystrings.h"

#include "ft/error.h"

#include <algorithm>
#include <cctype>

namespace ft::tpl {

bool isPySpace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || (c >= 0x1c && c <= 0x1f);
}

std::string strip(const std::string &s, const Value *chars, bool left, bool right)
{
    const bool custom = chars && chars->isString();
    const auto strippable = [&](char c) {
        return custom ? chars->asString().find(c) != std::string::npos : isPySpace(static_cast<unsigned char>(c));
    };
    std::size_t b = 0, e = s.size();
    if (left)
        while (b < e && strippable(s[b]))
            ++b;
    if (right)
        while (e > b && strippable(s[e - 1]))
            --e;
    return s.substr(b, e - b);
}

std::string upper(std::string s)
{
    for (auto &c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s)
{
    for (auto &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string capitalize(const std::string &s)
{
    std::string r = lower(s);
    if (!r.empty())
        r[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(r[0])));
    return r;
}

std::string title(const std::string &s)
{
    std::string r = s;
    bool prevCased = false;
    for (auto &c : r) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (std::isalpha(u)) {
            c = static_cast<char>(prevCased ? std::tolower(u) : std::toupper(u));
            prevCased = true;
        } else {
            prevCased = u >= 0x80 && prevCased;
        }
    }
    return r;
}

std::string replace(const std::string &s, const std::string &from, const std::string &to, int64_t count)
{
    if (from.empty()) {
        std::string r;
        int64_t n = 0;
        for (std::size_t i = 0; i <= s.size(); ++i) {
            if (count < 0 || n < count) {
                r += to;
                ++n;
            }
            if (i < s.size())
                r += s[i];
        }
        return r;
    }
    std::string r;
    std::size_t pos = 0;
    int64_t n = 0;
    while (count < 0 || n < count) {
        const auto f = s.find(from, pos);
        if (f == std::string::npos)
            break;
        r += s.substr(pos, f - pos) + to;
        pos = f + from.size();
        ++n;
    }
    return r + s.substr(pos);
}

Value split(const std::string &s, const Value *sep, const Value *maxsplit)
{
    int64_t limit = maxsplit && maxsplit->isNumber() ? maxsplit->asInt() : -1;
    ValueList parts;
    if (!sep || sep->isNone() || sep->isUndefined()) {
        std::size_t i = 0;
        while (true) {
            while (i < s.size() && isPySpace(static_cast<unsigned char>(s[i])))
                ++i;
            if (i >= s.size())
                break;
            if (limit == 0) {
                std::string rest = s.substr(i);
                parts.emplace_back(strip(rest, nullptr, false, true));
                break;
            }
            std::size_t j = i;
            while (j < s.size() && !isPySpace(static_cast<unsigned char>(s[j])))
                ++j;
            parts.emplace_back(s.substr(i, j - i));
            i = j;
            if (limit > 0)
                --limit;
        }
        return Value::list(std::move(parts));
    }
    const std::string d = sep->str();
    if (d.empty())
        throwBadInput("chat template: split(): empty separator");
    std::size_t pos = 0;
    while (limit != 0) {
        const auto f = s.find(d, pos);
        if (f == std::string::npos)
            break;
        parts.emplace_back(s.substr(pos, f - pos));
        pos = f + d.size();
        if (limit > 0)
            --limit;
    }
    parts.emplace_back(s.substr(pos));
    return Value::list(std::move(parts));
}

bool affix(const std::string &s, const Value &arg, bool prefix)
{
    const auto one = [&](const std::string &a) {
        if (a.size() > s.size())
            return false;
        return prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
    };
    if (arg.isList()) {
        for (const auto &a : arg.asList())
            if (a.isString() && one(a.asString()))
                return true;
        return false;
    }
    if (!arg.isString())
        throwBadInput("chat template: startswith/endswith argument must be str or a tuple of str");
    return one(arg.asString());
}

std::string htmlEscape(const std::string &s)
{
    std::string r;
    for (char c : s) {
        switch (c) {
        case '&': r += "&amp;"; break;
        case '<': r += "&lt;"; break;
        case '>': r += "&gt;"; break;
        case '"': r += "&#34;"; break;
        case '\'': r += "&#39;"; break;
        default: r += c;
        }
    }
    return r;
}

} // namespace ft::tpl
