#include "template/builtins.h"

#include "template/evaluator.h"
#include "template/pystrings.h"

#include "ft/error.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <set>

namespace ft::tpl {
namespace {

// Attribute lookup through dotted names, as jinja2's make_attrgetter.
Value getPath(const Value &obj, const std::string &path)
{
    Value cur = obj;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        const auto dot = path.find('.', pos);
        const std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        if (cur.isList() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit)) {
            const auto i = static_cast<std::size_t>(std::atoll(part.c_str()));
            cur = i < cur.asList().size() ? cur.asList()[i] : Value::undefined(part);
        } else if (cur.isUndefined()) {
            return cur;
        } else {
            cur = Builtins::attribute(cur, part);
        }
        if (dot == std::string::npos)
            break;
        pos = dot + 1;
    }
    return cur;
}

Value method(std::function<Value(const CallArgs &)> f) { return Value::function(std::move(f)); }

const Value *arg(const CallArgs &args, const char *name, std::size_t index)
{
    return args.get(name, index);
}

} // namespace

Value Builtins::attribute(const Value &obj, const std::string &name)
{
    if (obj.isMapping()) {
        if (const Value *v = obj.asDict().find(name))
            return *v;
        if (obj.kind() == Value::Kind::Namespace)
            return Value::undefined(name);
        if (name == "items")
            return method([obj](const CallArgs &) {
                ValueList items;
                for (const auto &kv : obj.asDict().items)
                    items.push_back(Value::tuple({Value(kv.first), kv.second}));
                return Value::list(std::move(items));
            });
        if (name == "keys")
            return method([obj](const CallArgs &) {
                ValueList items;
                for (const auto &kv : obj.asDict().items)
                    items.emplace_back(kv.first);
                return Value::list(std::move(items));
            });
        if (name == "values")
            return method([obj](const CallArgs &) {
                ValueList items;
                for (const auto &kv : obj.asDict().items)
                    items.push_back(kv.second);
                return Value::list(std::move(items));
            });
        if (name == "get")
            return method([obj](const CallArgs &args) {
                const Value *key = arg(args, "key", 0);
                if (key && key->isString())
                    if (const Value *v = obj.asDict().find(key->asString()))
                        return *v;
                const Value *dflt = arg(args, "default", 1);
                return dflt ? *dflt : Value::none();
            });
        return Value::undefined(name);
    }
    if (obj.isString()) {
        const std::string s = obj.asString();
        if (name == "strip" || name == "lstrip" || name == "rstrip") {
            const bool l = name != "rstrip", r = name != "lstrip";
            return method([s, l, r](const CallArgs &args) { return Value(strip(s, arg(args, "chars", 0), l, r)); });
        }
        if (name == "upper")
            return method([s](const CallArgs &) { return Value(upper(s)); });
        if (name == "lower")
            return method([s](const CallArgs &) { return Value(lower(s)); });
        if (name == "title")
            return method([s](const CallArgs &) { return Value(title(s)); });
        if (name == "capitalize")
            return method([s](const CallArgs &) { return Value(capitalize(s)); });
        if (name == "split")
            return method([s](const CallArgs &args) { return split(s, arg(args, "sep", 0), arg(args, "maxsplit", 1)); });
        if (name == "splitlines")
            return method([s](const CallArgs &) {
                ValueList lines;
                std::size_t pos = 0;
                while (pos < s.size()) {
                    const auto nl = s.find('\n', pos);
                    if (nl == std::string::npos) {
                        lines.emplace_back(s.substr(pos));
                        break;
                    }
                    lines.emplace_back(s.substr(pos, nl - pos));
                    pos = nl + 1;
                }
                return Value::list(std::move(lines));
            });
        if (name == "startswith" || name == "endswith") {
            const bool prefix = name == "startswith";
            return method([s, prefix](const CallArgs &args) {
                const Value *a = arg(args, "prefix", 0);
                if (!a)
                    throwBadInput("chat template: startswith/endswith needs an argument");
                return Value(affix(s, *a, prefix));
            });
        }
        if (name == "replace")
            return method([s](const CallArgs &args) {
                const Value *a = arg(args, "old", 0), *b = arg(args, "new", 1), *c = arg(args, "count", 2);
                if (!a || !b)
                    throwBadInput("chat template: replace() needs two arguments");
                return Value(replace(s, a->str(), b->str(), c ? c->asInt() : -1));
            });
        if (name == "find" || name == "count")
            return method([s, name](const CallArgs &args) {
                const Value *a = arg(args, "sub", 0);
                const std::string sub = a ? a->str() : std::string();
                if (name == "find") {
                    const auto f = s.find(sub);
                    return Value(f == std::string::npos ? int64_t(-1) : static_cast<int64_t>(f));
                }
                int64_t n = 0;
                for (std::size_t p = s.find(sub); !sub.empty() && p != std::string::npos; p = s.find(sub, p + sub.size()))
                    ++n;
                return Value(n);
            });
        if (name == "join")
            return method([s](const CallArgs &args) {
                const Value *a = arg(args, "iterable", 0);
                std::string r;
                if (a) {
                    const ValueList items = a->iterate();
                    for (std::size_t i = 0; i < items.size(); ++i)
                        r += (i ? s : std::string()) + items[i].str();
                }
                return Value(r);
            });
        if (name == "format")
            return method([s](const CallArgs &args) {
                std::string r;
                std::size_t next = 0;
                for (std::size_t i = 0; i < s.size(); ++i) {
                    if (s[i] == '{' && i + 1 < s.size() && s[i + 1] == '{') {
                        r += '{';
                        ++i;
                    } else if (s[i] == '}' && i + 1 < s.size() && s[i + 1] == '}') {
                        r += '}';
                        ++i;
                    } else if (s[i] == '{') {
                        const auto close = s.find('}', i);
                        if (close == std::string::npos)
                            throwBadInput("chat template: format(): unmatched '{'");
                        const std::string field = s.substr(i + 1, close - i - 1);
                        const Value *v = nullptr;
                        if (field.empty())
                            v = next < args.positional.size() ? &args.positional[next++] : nullptr;
                        else if (std::all_of(field.begin(), field.end(), ::isdigit))
                            v = args.get("", static_cast<std::size_t>(std::atoll(field.c_str())));
                        else
                            v = args.get(field, static_cast<std::size_t>(-1));
                        if (!v)
                            throwBadInput("chat template: format(): no argument for {" + field + "}");
                        r += v->str();
                        i = close;
                    } else {
                        r += s[i];
                    }
                }
                return Value(r);
            });
        return Value::undefined(name);
    }
    return Value::undefined(name);
}

bool Builtins::hasTest(const std::string &name)
{
    static const std::set<std::string> names = {
        "defined", "undefined", "none", "string", "mapping", "iterable", "sequence", "number", "integer",
        "float", "boolean", "true", "false", "equalto", "eq", "==", "ne", "!=", "in", "odd", "even",
        "divisibleby", "callable", "lower", "upper", "gt", ">", "lt", "<", "ge", ">=", "le", "<=", "greaterthan",
        "lessthan", "sameas", "filter", "test"};
    return names.count(name) > 0;
}

bool Builtins::test(Evaluator &ev, const std::string &name, const Value &v, const CallArgs &args, int line)
{
    const Value *a = args.positional.empty() ? nullptr : &args.positional[0];
    const auto need = [&]() -> const Value & {
        if (!a)
            ev.fail(line, "test '" + name + "' needs an argument");
        return *a;
    };
    const auto cmp = [&](const Value &x, const Value &y) -> int {
        if (x.isNumber() && y.isNumber())
            return x.asFloat() < y.asFloat() ? -1 : x.asFloat() > y.asFloat() ? 1 : 0;
        if (x.isString() && y.isString())
            return x.asString() < y.asString() ? -1 : x.asString() > y.asString() ? 1 : 0;
        ev.fail(line, "cannot compare '" + x.typeName() + "' and '" + y.typeName() + "'");
    };
    using K = Value::Kind;
    if (name == "defined") return !v.isUndefined();
    if (name == "undefined") return v.isUndefined();
    if (name == "none") return v.isNone();
    if (name == "string") return v.isString();
    if (name == "mapping") return v.kind() == K::Dict;
    if (name == "iterable") return v.isList() || v.isString() || v.kind() == K::Dict || v.isUndefined();
    if (name == "sequence") return v.isList() || v.isString() || v.kind() == K::Dict || v.isUndefined();
    if (name == "number") return v.isNumber();
    if (name == "integer") return v.kind() == K::Int;
    if (name == "float") return v.kind() == K::Float;
    if (name == "boolean") return v.kind() == K::Bool;
    if (name == "true") return v.kind() == K::Bool && v.asBool();
    if (name == "false") return v.kind() == K::Bool && !v.asBool();
    if (name == "callable") return v.kind() == K::Function;
    if (name == "lower") return v.isString() && lower(v.asString()) == v.asString();
    if (name == "upper") return v.isString() && upper(v.asString()) == v.asString();
    if (name == "equalto" || name == "eq" || name == "==" || name == "sameas") return v.equals(need());
    if (name == "ne" || name == "!=") return !v.equals(need());
    if (name == "gt" || name == ">" || name == "greaterthan") return cmp(v, need()) > 0;
    if (name == "lt" || name == "<" || name == "lessthan") return cmp(v, need()) < 0;
    if (name == "ge" || name == ">=") return cmp(v, need()) >= 0;
    if (name == "le" || name == "<=") return cmp(v, need()) <= 0;
    if (name == "odd" || name == "even" || name == "divisibleby") {
        if (!v.isNumber())
            ev.fail(line, "test '" + name + "' needs a number");
        if (name == "divisibleby") {
            const int64_t d = need().asInt();
            if (d == 0)
                ev.fail(line, "divisibleby 0");
            if (d == -1) // every int is; and INT64_MIN % -1 traps
                return true;
            return v.asInt() % d == 0;
        }
        return (v.asInt() % 2 != 0) == (name == "odd");
    }
    if (name == "in") {
        const Value &c = need();
        if (c.isString())
            return v.isString() && c.asString().find(v.asString()) != std::string::npos;
        if (c.isMapping())
            return v.isString() && c.asDict().find(v.asString());
        for (const auto &item : c.iterate())
            if (item.equals(v))
                return true;
        return false;
    }
    if (name == "filter" || name == "test")
        return v.isString() && (name == "test" ? hasTest(v.asString()) : true);
    ev.fail(line, "no test named '" + name + "'");
}

Value Builtins::filter(Evaluator &ev, const std::string &name, const Value &v, const CallArgs &args, int line)
{
    const auto argAt = [&](const char *key, std::size_t i) { return args.get(key, i); };
    const auto requireString = [&](const Value &x) -> std::string {
        if (x.isUndefined())
            ev.fail(line, "'" + x.undefinedName() + "' is undefined");
        return x.str();
    };
    if (name == "trim") {
        if (v.isUndefined())
            return Value(std::string());
        return Value(strip(v.str(), argAt("chars", 0), true, true));
    }
    if (name == "length" || name == "count")
        return Value(static_cast<int64_t>(v.length()));
    if (name == "upper") return Value(upper(v.str()));
    if (name == "lower") return Value(lower(v.str()));
    if (name == "capitalize") return Value(capitalize(v.str()));
    if (name == "title") return Value(title(v.str()));
    if (name == "string") return Value(v.str());
    if (name == "safe") return v;
    if (name == "escape" || name == "e" || name == "forceescape") return Value(htmlEscape(v.str()));
    if (name == "tojson") {
        const Value *indent = argAt("indent", 0);
        const Value *sortKeys = argAt("sort_keys", 99);
        const int64_t ind = indent && indent->isNumber() ? indent->asInt() : -1;
        if (ind > 64) // Python would allocate indent * depth per line; no template needs it
            ev.fail(line, "tojson indent " + std::to_string(ind) + " is larger than 64");
        std::string json = toJson(v, static_cast<int>(ind), sortKeys && sortKeys->truthy());
        ev.checkStringSize(json.size(), line);
        return Value(std::move(json));
    }
    if (name == "join") {
        const Value *sep = argAt("d", 0);
        const Value *attr = argAt("attribute", 1);
        std::string r;
        const ValueList items = v.iterate();
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i && sep)
                r += sep->str();
            r += attr ? getPath(items[i], attr->str()).str() : items[i].str();
            ev.checkStringSize(r.size(), line);
        }
        return Value(r);
    }
    if (name == "default" || name == "d") {
        const Value *dflt = argAt("default_value", 0);
        const Value *boolean = argAt("boolean", 1);
        const bool useDefault = v.isUndefined() || (boolean && boolean->truthy() && !v.truthy());
        return useDefault ? (dflt ? *dflt : Value(std::string())) : v;
    }
    if (name == "first" || name == "last") {
        const ValueList items = v.iterate();
        if (items.empty())
            return Value::undefined(name);
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list") return Value::list(v.iterate());
    if (name == "items") {
        if (v.isUndefined())
            return Value::list();
        if (!v.isMapping())
            ev.fail(line, "items filter needs a mapping, got '" + v.typeName() + "'");
        ValueList items;
        for (const auto &kv : v.asDict().items)
            items.push_back(Value::tuple({Value(kv.first), kv.second}));
        return Value::list(std::move(items));
    }
    if (name == "selectattr" || name == "rejectattr" || name == "select" || name == "reject") {
        const bool byAttr = name == "selectattr" || name == "rejectattr";
        const bool keepMatches = name == "selectattr" || name == "select";
        std::size_t i = 0;
        std::string attr;
        if (byAttr) {
            if (args.positional.empty())
                ev.fail(line, name + " needs an attribute name");
            attr = args.positional[i++].str();
        }
        std::string testName;
        CallArgs testArgs;
        if (i < args.positional.size()) {
            testName = args.positional[i++].str();
            testArgs.positional.assign(args.positional.begin() + static_cast<std::ptrdiff_t>(i), args.positional.end());
            if (!hasTest(testName))
                ev.fail(line, "no test named '" + testName + "'");
        }
        ValueList out;
        for (const auto &item : v.iterate()) {
            ev.countIteration(line);
            const Value subject = byAttr ? getPath(item, attr) : item;
            const bool r = testName.empty() ? subject.truthy() : test(ev, testName, subject, testArgs, line);
            if (r == keepMatches)
                out.push_back(item);
        }
        return Value::list(std::move(out));
    }
    if (name == "map") {
        ValueList out;
        const Value *attr = args.get("attribute", static_cast<std::size_t>(-1));
        if (attr) {
            const Value *dflt = args.get("default", static_cast<std::size_t>(-1));
            for (const auto &item : v.iterate()) {
                Value x = getPath(item, attr->str());
                out.push_back(x.isUndefined() && dflt ? *dflt : x);
            }
            return Value::list(std::move(out));
        }
        if (args.positional.empty())
            ev.fail(line, "map needs a filter name or attribute=");
        const std::string filterName = args.positional[0].str();
        CallArgs rest;
        rest.positional.assign(args.positional.begin() + 1, args.positional.end());
        rest.keywords = args.keywords;
        for (const auto &item : v.iterate()) {
            ev.countIteration(line);
            out.push_back(filter(ev, filterName, item, rest, line));
        }
        return Value::list(std::move(out));
    }
    if (name == "replace") {
        const Value *a = argAt("old", 0), *b = argAt("new", 1), *c = argAt("count", 2);
        if (!a || !b)
            ev.fail(line, "replace needs two arguments");
        const std::string subject = v.str(), from = a->str(), to = b->str();
        if (to.size() > from.size() && !from.empty()) {
            std::size_t count = 0;
            for (std::size_t at = subject.find(from); at != std::string::npos; at = subject.find(from, at + from.size()))
                ++count;
            ev.checkStringSize(subject.size() + count * (to.size() - from.size()), line);
        } else if (from.empty()) {
            ev.checkStringSize(subject.size() + (subject.size() + 1) * to.size(), line);
        }
        return Value(replace(subject, from, to, c && !c->isNone() ? c->asInt() : -1));
    }
    if (name == "int") {
        const Value *dflt = argAt("default", 0);
        if (v.kind() == Value::Kind::Float && std::isnan(v.asFloat())) // jinja2: int(nan) fails -> default
            return dflt ? *dflt : Value(int64_t(0));
        if (v.kind() == Value::Kind::Float && std::abs(v.asFloat()) >= 9223372036854775808.0)
            ev.fail(line, "int: " + v.str() + " does not fit in 64 bits");
        if (v.isNumber())
            return Value(v.asInt());
        const std::string s = strip(v.str(), nullptr, true, true);
        char *end = nullptr;
        const long long x = std::strtoll(s.c_str(), &end, 10);
        if (!s.empty() && end && *end == 0)
            return Value(static_cast<int64_t>(x));
        const double f = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == 0 && !std::isnan(f)) {
            if (std::abs(f) >= 9223372036854775808.0)
                ev.fail(line, "int: '" + s.substr(0, 40) + "' does not fit in 64 bits");
            return Value(static_cast<int64_t>(f));
        }
        return dflt ? *dflt : Value(int64_t(0));
    }
    if (name == "float") {
        if (v.isNumber())
            return Value(v.asFloat());
        const std::string s = strip(v.str(), nullptr, true, true);
        char *end = nullptr;
        const double f = std::strtod(s.c_str(), &end);
        if (!s.empty() && end && *end == 0)
            return Value(f);
        const Value *dflt = argAt("default", 0);
        return dflt ? *dflt : Value(0.0);
    }
    if (name == "abs") {
        if (!v.isNumber())
            ev.fail(line, "abs needs a number");
        if (v.kind() == Value::Kind::Float)
            return Value(std::abs(v.asFloat()));
        if (v.asInt() == INT64_MIN)
            ev.fail(line, "integer overflow in abs");
        return Value(static_cast<int64_t>(std::llabs(v.asInt())));
    }
    if (name == "reverse") {
        if (v.isString()) {
            ValueList chars = v.iterate();
            std::string r;
            for (auto it = chars.rbegin(); it != chars.rend(); ++it)
                r += it->asString();
            return Value(r);
        }
        ValueList items = v.iterate();
        std::reverse(items.begin(), items.end());
        return Value::list(std::move(items));
    }
    if (name == "unique") {
        ValueList out;
        for (const auto &item : v.iterate())
            if (std::none_of(out.begin(), out.end(), [&](const Value &o) { return o.equals(item); }))
                out.push_back(item);
        return Value::list(std::move(out));
    }
    if (name == "sort") {
        ValueList items = v.iterate();
        const Value *reverse = args.get("reverse", 0);
        const Value *attr = args.get("attribute", 2);
        std::stable_sort(items.begin(), items.end(), [&](const Value &x, const Value &y) {
            const Value a = attr ? getPath(x, attr->str()) : x;
            const Value b = attr ? getPath(y, attr->str()) : y;
            if (a.isNumber() && b.isNumber())
                return a.asFloat() < b.asFloat();
            return lower(a.str()) < lower(b.str());
        });
        if (reverse && reverse->truthy())
            std::reverse(items.begin(), items.end());
        return Value::list(std::move(items));
    }
    if (name == "sum") {
        const Value *attr = args.get("attribute", 0);
        Value total(int64_t(0));
        for (const auto &item : v.iterate()) {
            const Value x = attr ? getPath(item, attr->str()) : item;
            if (!x.isNumber())
                ev.fail(line, "sum needs numbers");
            int64_t sum = 0;
            if (total.kind() == Value::Kind::Float || x.kind() == Value::Kind::Float)
                total = Value(total.asFloat() + x.asFloat());
            else if (__builtin_add_overflow(total.asInt(), x.asInt(), &sum))
                ev.fail(line, "integer overflow in sum");
            else
                total = Value(sum);
        }
        return total;
    }
    if (name == "min" || name == "max") {
        const ValueList items = v.iterate();
        if (items.empty())
            return Value::undefined(name);
        Value best = items[0];
        for (const auto &item : items) {
            const bool less = item.isNumber() && best.isNumber() ? item.asFloat() < best.asFloat()
                                                                 : item.str() < best.str();
            const bool greater = item.isNumber() && best.isNumber() ? item.asFloat() > best.asFloat()
                                                                    : item.str() > best.str();
            if ((name == "min" && less) || (name == "max" && greater))
                best = item;
        }
        return best;
    }
    if (name == "indent") {
        const Value *width = argAt("width", 0);
        const Value *first = argAt("first", 1);
        const Value *blank = argAt("blank", 2);
        // Python: " " * width, so a negative width indents by nothing.
        const int64_t spaces = width && !width->isString() ? std::max<int64_t>(0, width->asInt()) : 4;
        if (!(width && width->isString()))
            ev.checkStringSize(static_cast<std::size_t>(spaces), line);
        const std::string pad = width && width->isString() ? width->asString()
                                                           : std::string(static_cast<std::size_t>(spaces), ' ');
        const std::string s = requireString(v);
        ev.checkStringSize(s.size() + pad.size() * (std::count(s.begin(), s.end(), '\n') + 1), line);
        std::string r;
        std::size_t pos = 0;
        bool firstLine = true;
        while (true) {
            const auto nl = s.find('\n', pos);
            const std::string lineText = s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            const bool indentIt = firstLine ? (first && first->truthy()) : (!lineText.empty() || (blank && blank->truthy()));
            if (indentIt)
                r += pad;
            r += lineText;
            if (nl == std::string::npos)
                break;
            r += '\n';
            pos = nl + 1;
            firstLine = false;
        }
        return Value(r);
    }
    if (name == "wordcount")
        return Value(static_cast<int64_t>(split(v.str(), nullptr, nullptr).asList().size()));
    if (name == "center") {
        const int64_t wanted = argAt("width", 0) ? argAt("width", 0)->asInt() : 80;
        ev.checkStringSize(static_cast<std::size_t>(std::max<int64_t>(0, wanted)), line);
        const auto width = static_cast<std::size_t>(std::max<int64_t>(0, wanted));
        std::string s = v.str();
        if (s.size() >= width)
            return Value(s);
        const std::size_t total = width - s.size(), left = total / 2 + (total & width & 1);
        return Value(std::string(left, ' ') + s + std::string(total - left, ' '));
    }
    if (name == "batch" || name == "slice" || name == "groupby" || name == "xmlattr" || name == "urlize" ||
        name == "filesizeformat" || name == "pprint" || name == "random" || name == "format" ||
        name == "truncate" || name == "wordwrap" || name == "striptags" || name == "urlencode" ||
        name == "attr" || name == "round" || name == "dictsort")
        ev.fail(line, "filter '" + name + "' is not supported by FineTune Studio's chat template engine");
    ev.fail(line, "no filter named '" + name + "'");
}

} // namespace ft::tpl
