#include "template/value.h"

#include "ft/error.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ft::tpl {

const Value *ValueDict::find(const std::string &key) const
{
    for (const auto &item : items)
        if (item.first == key)
            return &item.second;
    return nullptr;
}

void ValueDict::set(const std::string &key, Value value)
{
    for (auto &item : items)
        if (item.first == key) {
            item.second = std::move(value);
            return;
        }
    items.emplace_back(key, std::move(value));
}

const Value *CallArgs::get(const std::string &name, std::size_t index) const
{
    for (const auto &kw : keywords)
        if (kw.first == name)
            return &kw.second;
    return index < positional.size() ? &positional[index] : nullptr;
}

Value Value::undefined(std::string name)
{
    Value v;
    v.m_name = std::move(name);
    return v;
}

Value Value::none()
{
    Value v;
    v.m_kind = Kind::None;
    return v;
}

Value::Value(bool b) : m_kind(Kind::Bool), m_bool(b), m_int(b ? 1 : 0) {}
Value::Value(int64_t v) : m_kind(Kind::Int), m_int(v) {}
Value::Value(double v) : m_kind(Kind::Float), m_float(v) {}
Value::Value(std::string s)
    : m_kind(Kind::String), m_string(std::make_shared<const std::string>(std::move(s))) {}

Value Value::list(ValueList items)
{
    Value v;
    v.m_kind = Kind::List;
    v.m_list = std::make_shared<ValueList>(std::move(items));
    return v;
}

Value Value::tuple(ValueList items)
{
    Value v = list(std::move(items));
    v.m_tuple = true;
    return v;
}

Value Value::dict(ValueDict d)
{
    Value v;
    v.m_kind = Kind::Dict;
    v.m_dict = std::make_shared<ValueDict>(std::move(d));
    return v;
}

Value Value::ns(ValueDict d)
{
    Value v = dict(std::move(d));
    v.m_kind = Kind::Namespace;
    return v;
}

Value Value::function(Function f)
{
    Value v;
    v.m_kind = Kind::Function;
    v.m_function = std::make_shared<Function>(std::move(f));
    return v;
}

Value Value::fromJson(const nlohmann::ordered_json &j)
{
    switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return none();
    case nlohmann::ordered_json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned:
        return Value(static_cast<int64_t>(j.get<uint64_t>()));
    case nlohmann::ordered_json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
        ValueList items;
        items.reserve(j.size());
        for (const auto &e : j)
            items.push_back(fromJson(e));
        return list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
        ValueDict d;
        for (auto it = j.begin(); it != j.end(); ++it)
            d.items.emplace_back(it.key(), fromJson(it.value()));
        return dict(std::move(d));
    }
    default: return undefined();
    }
}

int64_t Value::asInt() const
{
    if (m_kind == Kind::Float) {
        // Python's int() truncates; NaN and values beyond 64 bits would be undefined behaviour
        // in a cast, so they saturate (callers that must refuse them check first).
        if (std::isnan(m_float))
            return 0;
        if (m_float >= 9223372036854775807.0)
            return INT64_MAX;
        if (m_float <= -9223372036854775808.0)
            return INT64_MIN;
        return static_cast<int64_t>(m_float);
    }
    return m_int;
}

double Value::asFloat() const
{
    if (m_kind == Kind::Float)
        return m_float;
    return static_cast<double>(m_int);
}

bool Value::truthy() const
{
    switch (m_kind) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return m_bool;
    case Kind::Int: return m_int != 0;
    case Kind::Float: return m_float != 0.0;
    case Kind::String: return !m_string->empty();
    case Kind::List: return !m_list->empty();
    case Kind::Dict: return !m_dict->items.empty();
    case Kind::Namespace:
    case Kind::Function: return true;
    }
    return false;
}

std::string pythonFloat(double v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v < 0 ? "-inf" : "inf";
    char buf[64];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v)
            break;
    }
    std::string s = buf;
    // Python uses exponent notation only outside 1e-4 <= |v| < 1e16.
    const double a = std::fabs(v);
    if (a != 0 && (a < 1e-4 || a >= 1e16)) {
        auto e = s.find('e');
        if (e == std::string::npos) {
            std::snprintf(buf, sizeof buf, "%.16e", v);
            s = buf;
            e = s.find('e');
        }
        std::string mant = s.substr(0, e), exp = s.substr(e + 1);
        int ev = std::atoi(exp.c_str());
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", ev < 0 ? '-' : '+', std::abs(ev));
        return mant + eb;
    }
    if (s.find('e') != std::string::npos) {
        std::snprintf(buf, sizeof buf, "%.1f", v);
        s = buf;
    }
    if (s.find('.') == std::string::npos)
        s += ".0";
    return s;
}

namespace {

std::string pyStringRepr(const std::string &s)
{
    const bool useDouble = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
    const char q = useDouble ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c == static_cast<unsigned char>(q)) {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += q;
    return out;
}

void jsonString(std::string &out, const std::string &s)
{
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void jsonDump(std::string &out, const Value &v, int indent, bool sortKeys, int depth)
{
    if (depth > 512)
        throwBadInput("chat template: tojson: value nested too deeply");
    const auto newline = [&](int level) {
        out += '\n';
        out.append(static_cast<std::size_t>(indent * level), ' ');
    };
    switch (v.kind()) {
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.asInt()); return;
    case Value::Kind::Float: {
        const double f = v.asFloat();
        out += std::isnan(f) ? "NaN" : std::isinf(f) ? (f < 0 ? "-Infinity" : "Infinity") : pythonFloat(f);
        return;
    }
    case Value::Kind::String: jsonString(out, v.asString()); return;
    case Value::Kind::List: {
        const auto &items = v.asList();
        if (items.empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += indent >= 0 ? "," : ", ";
            if (indent >= 0)
                newline(depth + 1);
            jsonDump(out, items[i], indent, sortKeys, depth + 1);
        }
        if (indent >= 0)
            newline(depth);
        out += ']';
        return;
    }
    case Value::Kind::Dict:
    case Value::Kind::Namespace: {
        auto items = v.asDict().items;
        if (v.kind() == Value::Kind::Namespace)
            throwBadInput("chat template: tojson: Object of type Namespace is not JSON serializable");
        if (items.empty()) {
            out += "{}";
            return;
        }
        if (sortKeys)
            std::stable_sort(items.begin(), items.end(),
                             [](const auto &a, const auto &b) { return a.first < b.first; });
        out += '{';
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += indent >= 0 ? "," : ", ";
            if (indent >= 0)
                newline(depth + 1);
            jsonString(out, items[i].first);
            out += ": ";
            jsonDump(out, items[i].second, indent, sortKeys, depth + 1);
        }
        if (indent >= 0)
            newline(depth);
        out += '}';
        return;
    }
    case Value::Kind::Undefined:
        throwBadInput("chat template: tojson: Object of type Undefined is not JSON serializable");
    case Value::Kind::Function:
        throwBadInput("chat template: tojson: a function is not JSON serializable");
    }
}

} // namespace

std::string toJson(const Value &value, int indent, bool sortKeys)
{
    std::string out;
    jsonDump(out, value, indent, sortKeys, 0);
    return out;
}

std::string Value::repr() const
{
    switch (m_kind) {
    case Kind::String: return pyStringRepr(*m_string);
    case Kind::Undefined: return "";
    default: break;
    }
    if (m_kind == Kind::List) {
        std::string out = m_tuple ? "(" : "[";
        for (std::size_t i = 0; i < m_list->size(); ++i) {
            if (i)
                out += ", ";
            out += (*m_list)[i].repr();
        }
        if (m_tuple && m_list->size() == 1)
            out += ",";
        return out + (m_tuple ? ")" : "]");
    }
    if (m_kind == Kind::Dict) {
        std::string out = "{";
        for (std::size_t i = 0; i < m_dict->items.size(); ++i) {
            if (i)
                out += ", ";
            out += pyStringRepr(m_dict->items[i].first) + ": " + m_dict->items[i].second.repr();
        }
        return out + "}";
    }
    return str();
}

std::string Value::str() const
{
    switch (m_kind) {
    case Kind::Undefined: return {};
    case Kind::None: return "None";
    case Kind::Bool: return m_bool ? "True" : "False";
    case Kind::Int: return std::to_string(m_int);
    case Kind::Float: return pythonFloat(m_float);
    case Kind::String: return *m_string;
    case Kind::List:
    case Kind::Dict: return repr();
    case Kind::Namespace: return "<Namespace>";
    case Kind::Function: return "<function>";
    }
    return {};
}

bool Value::equals(const Value &other) const
{
    if (isNumber() && other.isNumber()) {
        if (m_kind == Kind::Float || other.m_kind == Kind::Float)
            return asFloat() == other.asFloat();
        return asInt() == other.asInt();
    }
    if (m_kind != other.m_kind)
        return false;
    switch (m_kind) {
    case Kind::Undefined:
    case Kind::None: return true;
    case Kind::String: return *m_string == *other.m_string;
    case Kind::List: {
        if (m_tuple != other.m_tuple || m_list->size() != other.m_list->size())
            return false;
        for (std::size_t i = 0; i < m_list->size(); ++i)
            if (!(*m_list)[i].equals((*other.m_list)[i]))
                return false;
        return true;
    }
    case Kind::Dict: {
        if (m_dict->items.size() != other.m_dict->items.size())
            return false;
        for (const auto &item : m_dict->items) {
            const Value *o = other.m_dict->find(item.first);
            if (!o || !item.second.equals(*o))
                return false;
        }
        return true;
    }
    case Kind::Namespace: return m_dict == other.m_dict;
    case Kind::Function: return m_function == other.m_function;
    default: return false;
    }
}

std::string Value::typeName() const
{
    switch (m_kind) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Namespace: return "Namespace";
    case Kind::Function: return "function";
    }
    return "?";
}

ValueList Value::iterate() const
{
    switch (m_kind) {
    case Kind::Undefined: return {};
    case Kind::List: return *m_list;
    case Kind::Dict: {
        ValueList keys;
        for (const auto &item : m_dict->items)
            keys.emplace_back(item.first);
        return keys;
    }
    case Kind::String: {
        ValueList chars;
        const std::string &s = *m_string;
        for (std::size_t i = 0; i < s.size();) {
            std::size_t n = 1;
            const unsigned char c = static_cast<unsigned char>(s[i]);
            if (c >= 0xF0) n = 4;
            else if (c >= 0xE0) n = 3;
            else if (c >= 0xC0) n = 2;
            chars.emplace_back(s.substr(i, n));
            i += n;
        }
        return chars;
    }
    default: throwBadInput("chat template: '" + typeName() + "' object is not iterable");
    }
}

std::size_t Value::length() const
{
    switch (m_kind) {
    case Kind::Undefined: return 0;
    case Kind::String: return iterate().size();
    case Kind::List: return m_list->size();
    case Kind::Dict:
    case Kind::Namespace: return m_dict->items.size();
    default: throwBadInput("chat template: object of type '" + typeName() + "' has no len()");
    }
}

} // namespace ft::tpl
