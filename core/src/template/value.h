// A Jinja2 value: Python-like semantics for what chat templates use (None, bools, ints, floats,
// strings, lists, dicts, namespace(), callables) plus jinja2's default Undefined.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft::tpl {

class Value;
using ValueList = std::vector<Value>;

// Insertion-ordered string-keyed map (Python dicts keep insertion order).
struct ValueDict
{
    std::vector<std::pair<std::string, Value>> items;
    const Value *find(const std::string &key) const;
    void set(const std::string &key, Value value);
};

// Arguments of a call: positional and keyword.
struct CallArgs
{
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keywords;
    // The keyword `name`, or else positional[index], or else nullptr.
    const Value *get(const std::string &name, std::size_t index) const;
};

using Function = std::function<Value(const CallArgs &)>;

class Value
{
public:
    enum class Kind { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

    Value() = default; // Undefined
    static Value undefined(std::string name = {});
    static Value none();
    Value(bool b);
    Value(int v) : Value(static_cast<int64_t>(v)) {}
    Value(int64_t v);
    Value(double v);
    Value(std::string s);
    Value(const char *s) : Value(std::string(s)) {}
    static Value list(ValueList items = {});
    static Value tuple(ValueList items); // a list that prints as a Python tuple
    bool isTuple() const { return m_tuple; }
    static Value dict(ValueDict d = {});
    static Value ns(ValueDict d = {});
    static Value function(Function f);
    static Value fromJson(const nlohmann::ordered_json &j);

    Kind kind() const { return m_kind; }
    bool isUndefined() const { return m_kind == Kind::Undefined; }
    bool isNone() const { return m_kind == Kind::None; }
    bool isString() const { return m_kind == Kind::String; }
    bool isNumber() const { return m_kind == Kind::Int || m_kind == Kind::Float || m_kind == Kind::Bool; }
    bool isList() const { return m_kind == Kind::List; }
    bool isDict() const { return m_kind == Kind::Dict; }
    bool isMapping() const { return m_kind == Kind::Dict || m_kind == Kind::Namespace; }

    bool asBool() const { return m_bool; }
    int64_t asInt() const;      // Bool/Int/Float
    double asFloat() const;     // Bool/Int/Float
    const std::string &asString() const { return *m_string; }
    const ValueList &asList() const { return *m_list; }
    ValueList &mutableList() { return *m_list; }
    const ValueDict &asDict() const { return *m_dict; }
    // The shared object behind a dict or list (copies share it); null for other kinds.
    const void *identity() const
    {
        return m_dict ? static_cast<const void *>(m_dict.get()) : static_cast<const void *>(m_list.get());
    }
    ValueDict &mutableDict() const { return *m_dict; } // namespaces are mutable through copies
    const Function &asFunction() const { return *m_function; }
    const std::string &undefinedName() const { return m_name; }

    bool truthy() const;
    // Python str(): what {{ x }} prints. Undefined prints as "".
    std::string str() const;
    // Python repr() (strings quoted), used for str() of containers.
    std::string repr() const;
    bool equals(const Value &other) const;
    std::string typeName() const;
    // Items a for loop visits: list items, dict keys, string characters (UTF-8 code points).
    ValueList iterate() const;
    std::size_t length() const;

private:
    Kind m_kind = Kind::Undefined;
    bool m_bool = false;
    int64_t m_int = 0;
    double m_float = 0;
    std::shared_ptr<const std::string> m_string;
    std::shared_ptr<ValueList> m_list;
    std::shared_ptr<ValueDict> m_dict;
    std::shared_ptr<Function> m_function;
    std::string m_name; // Undefined: the name that was looked up
    bool m_tuple = false;
};

// Python float repr (shortest round-trip, always with a '.', 'e' or 'inf/nan').
std::string pythonFloat(double v);
// Python json.dumps(value, ensure_ascii=False, indent=indent (<0: none), sort_keys).
std::string toJson(const Value &value, int indent, bool sortKeys = false);

} // namespace ft::tpl
