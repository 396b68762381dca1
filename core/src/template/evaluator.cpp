#include "template/evaluator.h"

#include "template/builtins.h"

#include "ft/error.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace ft::tpl {
namespace {

// Pushes a variable scope for its lifetime, so an exception unwinding through a template block
// leaves the scope stack as it was.
class ScopeGuard
{
public:
    ScopeGuard(std::vector<ValueDict> &scopes, ValueDict scope) : m_scopes(scopes)
    {
        m_scopes.push_back(std::move(scope));
    }
    ~ScopeGuard() { m_scopes.pop_back(); }
    ScopeGuard(const ScopeGuard &) = delete;
    ScopeGuard &operator=(const ScopeGuard &) = delete;

private:
    std::vector<ValueDict> &m_scopes;
};


constexpr const char *kLoopScopeMarker = "\x01loopscope";

bool numeric(const Value &v) { return v.isNumber(); }

[[noreturn]] void arithFail(int line, const std::string &what)
{
    throwBadInput("chat template: line " + std::to_string(line) + ": " + what);
}

int64_t addChecked(int64_t a, int64_t b, int line)
{
    int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r))
        arithFail(line, "integer overflow (the result does not fit in 64 bits)");
    return r;
}

int64_t subChecked(int64_t a, int64_t b, int line)
{
    int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r))
        arithFail(line, "integer overflow (the result does not fit in 64 bits)");
    return r;
}

int64_t mulChecked(int64_t a, int64_t b, int line)
{
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        arithFail(line, "integer overflow (the result does not fit in 64 bits)");
    return r;
}

// base ** exponent for exponent >= 0 by squaring, failing instead of wrapping.
int64_t checkedPow(int64_t base, int64_t exponent, int line)
{
    int64_t result = 1;
    while (exponent > 0) {
        if (exponent & 1)
            result = mulChecked(result, base, line);
        exponent >>= 1;
        if (exponent > 0)
            base = mulChecked(base, base, line);
    }
    return result;
}

// Python's arithmetic on ints and floats; ints that would leave 64 bits are an error rather
// than Python's big integers (chat templates never need them).
Value arith(const std::string &op, const Value &a, const Value &b, int line)
{
    const bool useFloat = a.kind() == Value::Kind::Float || b.kind() == Value::Kind::Float;
    if (op == "+")
        return useFloat ? Value(a.asFloat() + b.asFloat()) : Value(addChecked(a.asInt(), b.asInt(), line));
    if (op == "-")
        return useFloat ? Value(a.asFloat() - b.asFloat()) : Value(subChecked(a.asInt(), b.asInt(), line));
    if (op == "*")
        return useFloat ? Value(a.asFloat() * b.asFloat()) : Value(mulChecked(a.asInt(), b.asInt(), line));
    if (op == "**")
        return useFloat || b.asInt() < 0 ? Value(std::pow(a.asFloat(), b.asFloat()))
                                         : Value(checkedPow(a.asInt(), b.asInt(), line));
    if (b.asFloat() == 0)
        arithFail(line, "division by zero");
    if (op == "/")
        return Value(a.asFloat() / b.asFloat());
    if (op == "//") {
        if (useFloat)
            return Value(std::floor(a.asFloat() / b.asFloat()));
        const int64_t x = a.asInt(), y = b.asInt();
        if (y == -1) // x / -1 traps for the smallest int64
            return Value(subChecked(0, x, line));
        int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0)))
            --q;
        return Value(q);
    }
    if (op == "%") {
        if (useFloat) {
            double rem = std::fmod(a.asFloat(), b.asFloat());
            if (rem != 0 && ((rem < 0) != (b.asFloat() < 0)))
                rem += b.asFloat();
            return Value(rem);
        }
        const int64_t x = a.asInt(), y = b.asInt();
        if (y == -1) // x % -1 is 0, and traps for the smallest int64
            return Value(int64_t(0));
        int64_t rem = x % y;
        if (rem != 0 && ((rem < 0) != (y < 0)))
            rem += y;
        return Value(rem);
    }
    return Value::undefined();
}

int compareValues(const Value &a, const Value &b, bool &ok)
{
    ok = true;
    if (numeric(a) && numeric(b)) {
        const double x = a.asFloat(), y = b.asFloat();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.isString() && b.isString())
        return a.asString().compare(b.asString()) < 0 ? -1 : a.asString() == b.asString() ? 0 : 1;
    if (a.isList() && b.isList()) {
        const auto &x = a.asList(), &y = b.asList();
        for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (x[i].equals(y[i]))
                continue;
            return compareValues(x[i], y[i], ok);
        }
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    ok = false;
    return 0;
}

} // namespace

Evaluator::Evaluator(ValueDict globals, Limits limits, const ValueDict *shared) : m_limits(limits), m_shared(shared)
{
    m_scopes.push_back(std::move(globals));
}

void Evaluator::fail(int line, const std::string &what) const
{
    throwBadInput("chat template: line " + std::to_string(line) + ": " + what);
}

void Evaluator::countIteration(int line)
{
    if (++m_iterations > m_limits.maxLoopIterations)
        fail(line, "template exceeded the limit of " + std::to_string(m_limits.maxLoopIterations) +
                       " loop iterations (runaway template?)");
}

void Evaluator::checkStringSize(std::size_t bytes, int line) const
{
    if (bytes > m_limits.maxValueBytes)
        fail(line, "a string would exceed " + std::to_string(m_limits.maxValueBytes) +
                       " bytes (runaway template?)");
}

void Evaluator::checkListSize(std::size_t items, int line) const
{
    if (items > m_limits.maxListItems)
        fail(line, "a list would exceed " + std::to_string(m_limits.maxListItems) + " items (runaway template?)");
}

void Evaluator::append(std::string &out, const std::string &text, int line)
{
    out += text;
    if (out.size() > m_limits.maxOutputBytes)
        fail(line, "template output exceeded " + std::to_string(m_limits.maxOutputBytes) + " bytes");
}

void Evaluator::watch(const std::vector<const void *> &items)
{
    m_watched.clear();
    for (std::size_t i = 0; i < items.size(); ++i)
        if (items[i])
            m_watched.emplace(items[i], i);
}

std::string Evaluator::render(const Body &body)
{
    std::string out;
    m_root = &out;
    m_ranges.clear();
    exec(body, out);
    m_root = nullptr;
    return out;
}

Value Evaluator::lookup(const std::string &name) const
{
    for (std::size_t i = m_scopes.size(); i-- > 0;) {
        if (const Value *v = m_scopes[i].find(name))
            return *v;
    }
    if (m_shared)
        if (const Value *v = m_shared->find(name))
            return *v;
    return Value::undefined(name);
}

void Evaluator::assign(const std::string &name, Value v)
{
    m_scopes.back().set(name, std::move(v));
}

Evaluator::Flow Evaluator::exec(const Body &body, std::string &out)
{
    for (const auto &s : body) {
        const Flow f = exec(*s, out);
        if (f != Flow::Normal)
            return f;
    }
    return Flow::Normal;
}

Evaluator::Flow Evaluator::exec(const Stmt &s, std::string &out)
{
    switch (s.kind) {
    case Stmt::Kind::Text: append(out, s.text, s.line); return Flow::Normal;
    case Stmt::Kind::Output: {
        const Value v = eval(*s.expr);
        append(out, v.str(), s.line);
        return Flow::Normal;
    }
    case Stmt::Kind::If:
        for (const auto &branch : s.branches)
            if (eval(*branch.first).truthy())
                return exec(branch.second, out);
        return exec(s.elseBody, out);
    case Stmt::Kind::For: return execFor(s, out);
    case Stmt::Kind::Set: {
        Value v = eval(*s.expr);
        if (s.attrTarget) {
            const Value target = lookup(s.targets[0]);
            if (target.kind() != Value::Kind::Namespace)
                fail(s.line, "cannot assign attribute on non-namespace object '" + s.targets[0] + "'");
            if (!s.targets[1].empty() && s.targets[1][0] == '_')
                fail(s.line, "chat templates cannot store underscore-prefixed attributes on a namespace");
            target.mutableDict().set(s.targets[1], std::move(v));
        } else if (s.targets.size() == 1) {
            assign(s.targets[0], std::move(v));
        } else {
            const ValueList items = v.iterate();
            if (items.size() != s.targets.size())
                fail(s.line, "cannot unpack " + std::to_string(items.size()) + " values into " +
                                 std::to_string(s.targets.size()) + " names");
            for (std::size_t i = 0; i < items.size(); ++i)
                assign(s.targets[i], items[i]);
        }
        return Flow::Normal;
    }
    case Stmt::Kind::SetBlock: {
        std::string captured;
        exec(s.body, captured);
        Value v(captured);
        if (s.filter) {
            ValueDict tmp;
            tmp.set("\x01setblock", v);
            const ScopeGuard guard(m_scopes, std::move(tmp));
            v = eval(*s.filter);
        }
        assign(s.targets[0], v);
        return Flow::Normal;
    }
    case Stmt::Kind::Macro: assign(s.name, makeMacro(s)); return Flow::Normal;
    case Stmt::Kind::Break: return Flow::Break;
    case Stmt::Kind::Continue: return Flow::Continue;
    case Stmt::Kind::Generation: {
        const std::size_t start = out.size();
        const Flow f = exec(s.body, out);
        if (&out == m_root)
            m_ranges.emplace_back(start, out.size());
        return f;
    }
    case Stmt::Kind::CallBlock: {
        const Body *body = &s.body;
        ValueDict scope;
        scope.set("caller", Value::function([this, body](const CallArgs &) {
            std::string captured;
            exec(*body, captured);
            return Value(captured);
        }));
        Value v;
        {
            const ScopeGuard guard(m_scopes, std::move(scope));
            v = eval(*s.expr);
        }
        append(out, v.str(), s.line);
        return Flow::Normal;
    }
    }
    return Flow::Normal;
}

Evaluator::Flow Evaluator::execFor(const Stmt &s, std::string &out)
{
    const Value iterable = eval(*s.expr);
    ValueList items = iterable.iterate(); // Undefined iterates as empty, as in jinja2
    const auto bindTargets = [&](ValueDict &scope, const Value &item) {
        if (s.targets.size() == 1) {
            scope.set(s.targets[0], item);
            return;
        }
        const ValueList parts = item.iterate();
        if (parts.size() != s.targets.size())
            fail(s.line, "cannot unpack " + std::to_string(parts.size()) + " values into " +
                             std::to_string(s.targets.size()) + " loop variables");
        for (std::size_t i = 0; i < parts.size(); ++i)
            scope.set(s.targets[i], parts[i]);
    };
    if (s.filter) {
        ValueList kept;
        for (const auto &item : items) {
            countIteration(s.line);
            ValueDict scope;
            bindTargets(scope, item);
            bool keep = false;
            {
                const ScopeGuard guard(m_scopes, std::move(scope));
                keep = eval(*s.filter).truthy();
            }
            if (keep)
                kept.push_back(item);
        }
        items = std::move(kept);
    }
    if (items.empty())
        return exec(s.elseBody, out);
    const std::size_t n = items.size();
    const std::size_t loopRun = ++m_loops;
    bool visited = false;
    for (std::size_t i = 0; i < n; ++i) {
        countIteration(s.line);
        if (!m_watched.empty() && &out == m_root) {
            const auto it = m_watched.find(items[i].identity());
            if (it != m_watched.end()) {
                m_visits.push_back({loopRun, it->second, out.size()});
                visited = true;
            }
        }
        ValueDict loop;
        loop.set("index", Value(static_cast<int64_t>(i + 1)));
        loop.set("index0", Value(static_cast<int64_t>(i)));
        loop.set("revindex", Value(static_cast<int64_t>(n - i)));
        loop.set("revindex0", Value(static_cast<int64_t>(n - i - 1)));
        loop.set("first", Value(i == 0));
        loop.set("last", Value(i + 1 == n));
        loop.set("length", Value(static_cast<int64_t>(n)));
        loop.set("depth", Value(static_cast<int64_t>(1)));
        loop.set("depth0", Value(static_cast<int64_t>(0)));
        loop.set("previtem", i > 0 ? items[i - 1] : Value::undefined("previtem"));
        loop.set("nextitem", i + 1 < n ? items[i + 1] : Value::undefined("nextitem"));
        loop.set("cycle", Value::function([i](const CallArgs &args) {
            if (args.positional.empty())
                throwBadInput("chat template: loop.cycle() needs at least one argument");
            return args.positional[i % args.positional.size()];
        }));
        ValueDict scope;
        scope.set(kLoopScopeMarker, Value(true));
        scope.set("loop", Value::dict(std::move(loop)));
        bindTargets(scope, items[i]);
        Flow f;
        {
            const ScopeGuard guard(m_scopes, std::move(scope));
            f = exec(s.body, out);
        }
        if (f == Flow::Break)
            break;
    }
    if (visited)
        m_visits.push_back({loopRun, std::string::npos, out.size()});
    return Flow::Normal;
}

Value Evaluator::makeMacro(const Stmt &s)
{
    const Stmt *macro = &s;
    return Value::function([this, macro](const CallArgs &args) {
        ValueDict scope;
        for (std::size_t i = 0; i < macro->params.size(); ++i) {
            const auto &param = macro->params[i];
            if (const Value *v = args.get(param.first, i))
                scope.set(param.first, *v);
            else if (param.second)
                scope.set(param.first, eval(*param.second));
            else
                scope.set(param.first, Value::undefined(param.first));
        }
        if (args.positional.size() > macro->params.size())
            fail(macro->line, "macro '" + macro->name + "' takes " + std::to_string(macro->params.size()) +
                                  " arguments");
        ValueList varargs;
        scope.set("varargs", Value::list(std::move(varargs)));
        // A macro sees the globals and its parameters, not the caller's loop variables.
        std::vector<ValueDict> saved(m_scopes.begin() + 1, m_scopes.end());
        m_scopes.resize(1);
        m_scopes.push_back(std::move(scope));
        std::string captured;
        try {
            exec(macro->body, captured);
        } catch (...) {
            m_scopes.resize(1);
            for (auto &sc : saved)
                m_scopes.push_back(std::move(sc));
            throw;
        }
        m_scopes.resize(1);
        for (auto &sc : saved)
            m_scopes.push_back(std::move(sc));
        return Value(captured);
    });
}

Value Evaluator::call(const Value &fn, const CallArgs &args, int line)
{
    if (fn.isUndefined())
        fail(line, "'" + fn.undefinedName() + "' is undefined");
    if (fn.kind() != Value::Kind::Function)
        fail(line, "'" + fn.typeName() + "' object is not callable");
    if (++m_callDepth > m_limits.maxCallDepth) {
        --m_callDepth;
        fail(line, "template exceeded the call depth limit of " + std::to_string(m_limits.maxCallDepth) +
                       " (runaway recursion?)");
    }
    try {
        Value v = fn.asFunction()(args);
        --m_callDepth;
        return v;
    } catch (...) {
        --m_callDepth;
        throw;
    }
}

Value Evaluator::binary(const Expr &e)
{
    const std::string &op = e.name;
    const Value a = eval(*e.a);
    const Value b = eval(*e.b);
    if (op == "~") {
        std::string left = a.str(), right = b.str();
        checkStringSize(left.size() + right.size(), e.line);
        return Value(left + right);
    }
    if (op == "==")
        return Value(a.equals(b));
    if (op == "!=")
        return Value(!a.equals(b));
    if (op == "in" || op == "not in") {
        bool found = false;
        if (b.isString()) {
            if (!a.isString())
                fail(e.line, "'in <string>' requires string as left operand, not " + a.typeName());
            found = b.asString().find(a.asString()) != std::string::npos;
        } else if (b.isMapping()) {
            found = a.isString() && b.asDict().find(a.asString()) != nullptr;
        } else if (b.isList()) {
            for (const auto &item : b.asList())
                if (item.equals(a)) {
                    found = true;
                    break;
                }
        } else if (!b.isUndefined()) {
            fail(e.line, "argument of type '" + b.typeName() + "' is not iterable");
        }
        return Value(op == "in" ? found : !found);
    }
    for (const Value *v : {&a, &b})
        if (v->isUndefined())
            fail(e.line, "'" + v->undefinedName() + "' is undefined");
    if (op == "<" || op == ">" || op == "<=" || op == ">=") {
        bool ok = false;
        const int c = compareValues(a, b, ok);
        if (!ok)
            fail(e.line, "'" + op + "' not supported between instances of '" + a.typeName() + "' and '" +
                             b.typeName() + "'");
        return Value(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
    }
    if (numeric(a) && numeric(b))
        return arith(op, a, b, e.line);
    if (op == "+" && a.isString() && b.isString()) {
        checkStringSize(a.asString().size() + b.asString().size(), e.line);
        return Value(a.asString() + b.asString());
    }
    if (op == "+" && a.isList() && b.isList()) {
        checkListSize(a.asList().size() + b.asList().size(), e.line);
        ValueList items = a.asList();
        items.insert(items.end(), b.asList().begin(), b.asList().end());
        return Value::list(std::move(items));
    }
    if (op == "*" && (a.isString() || a.isList()) && b.kind() == Value::Kind::Int) {
        const auto times = static_cast<std::size_t>(std::max<int64_t>(0, b.asInt()));
        const std::size_t unit = a.isString() ? a.asString().size() : a.asList().size();
        if (unit > 0 && times > (a.isString() ? m_limits.maxValueBytes : m_limits.maxListItems) / unit)
            fail(e.line, "repetition result too large");
        if (a.isString()) {
            std::string r;
            for (int64_t i = 0; i < times; ++i)
                r += a.asString();
            return Value(r);
        }
        ValueList items;
        for (int64_t i = 0; i < times; ++i)
            items.insert(items.end(), a.asList().begin(), a.asList().end());
        return Value::list(std::move(items));
    }
    fail(e.line, "unsupported operand type(s) for " + op + ": '" + a.typeName() + "' and '" + b.typeName() + "'");
}

Value Evaluator::eval(const Expr &e)
{
    if (m_stack.exhausted())
        fail(e.line, "expression nested too deeply for the stack");
    if (++m_operations > m_limits.maxOperations)
        fail(e.line, "template exceeded the limit of " + std::to_string(m_limits.maxOperations) +
                         " operations (runaway template?)");
    if ((m_operations & 4095) == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count() > m_limits.maxSeconds)
        fail(e.line, "template took longer than " + std::to_string(static_cast<int>(m_limits.maxSeconds)) +
                         " s to render (runaway template?)");
    switch (e.kind) {
    case Expr::Kind::Literal: return e.value;
    case Expr::Kind::Name: return lookup(e.name);
    case Expr::Kind::GetAttr: {
        const Value obj = eval(*e.a);
        if (obj.isUndefined())
            fail(e.line, "'" + obj.undefinedName() + "' is undefined");
        return Builtins::attribute(obj, e.name);
    }
    case Expr::Kind::GetItem: {
        const Value obj = eval(*e.a);
        const Value key = eval(*e.b);
        if (obj.isUndefined())
            fail(e.line, "'" + obj.undefinedName() + "' is undefined");
        if (obj.isList() || obj.isString()) {
            if (key.kind() != Value::Kind::Int && key.kind() != Value::Kind::Bool)
                return Value::undefined(key.str());
            const ValueList chars = obj.isString() ? obj.iterate() : ValueList{};
            const ValueList &items = obj.isString() ? chars : obj.asList();
            int64_t i = key.asInt();
            const int64_t n = static_cast<int64_t>(items.size());
            if (i < 0)
                i += n;
            if (i < 0 || i >= n)
                return Value::undefined(obj.typeName() + " index " + key.str());
            return items[static_cast<std::size_t>(i)];
        }
        if (obj.isMapping()) {
            if (key.isString()) {
                if (const Value *v = obj.asDict().find(key.asString()))
                    return *v;
                return Builtins::attribute(obj, key.asString());
            }
            return Value::undefined(key.str());
        }
        if (key.isString())
            return Builtins::attribute(obj, key.asString());
        return Value::undefined(key.str());
    }
    case Expr::Kind::Slice: {
        const Value obj = eval(*e.a);
        if (obj.isUndefined())
            fail(e.line, "'" + obj.undefinedName() + "' is undefined");
        if (!obj.isList() && !obj.isString())
            fail(e.line, "'" + obj.typeName() + "' object is not subscriptable");
        const ValueList items = obj.iterate();
        const int64_t n = static_cast<int64_t>(items.size());
        const auto part = [&](int idx) -> std::optional<int64_t> {
            if (!e.args[idx])
                return std::nullopt;
            const Value v = eval(*e.args[idx]);
            if (v.isNone())
                return std::nullopt;
            if (v.kind() != Value::Kind::Int && v.kind() != Value::Kind::Bool)
                fail(e.line, "slice indices must be integers or None");
            return v.asInt();
        };
        const auto startV = part(0), stopV = part(1), stepV = part(2);
        const int64_t step = stepV.value_or(1);
        if (step == 0)
            fail(e.line, "slice step cannot be zero");
        const auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
            if (!v)
                return dflt;
            int64_t x = *v;
            if (x < 0)
                x += n;
            if (step > 0)
                return std::min(std::max<int64_t>(x, 0), n);
            return std::min(std::max<int64_t>(x, -1), n - 1);
        };
        const int64_t start = clamp(startV, step > 0 ? 0 : n - 1);
        const int64_t stop = clamp(stopV, step > 0 ? n : -1);
        ValueList out;
        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
            out.push_back(items[static_cast<std::size_t>(i)]);
        if (obj.isString()) {
            std::string s;
            for (const auto &c : out)
                s += c.asString();
            return Value(s);
        }
        return Value::list(std::move(out));
    }
    case Expr::Kind::Call: {
        const Value fn = eval(*e.a);
        CallArgs args;
        for (const auto &a : e.args)
            args.positional.push_back(eval(*a));
        for (const auto &kw : e.kwargs)
            args.keywords.emplace_back(kw.first, eval(*kw.second));
        if (fn.isUndefined() && e.a->kind == Expr::Kind::Name)
            fail(e.line, "'" + e.a->name + "' is undefined");
        return call(fn, args, e.line);
    }
    case Expr::Kind::Filter: {
        const Value input = eval(*e.a);
        CallArgs args;
        for (const auto &a : e.args)
            args.positional.push_back(eval(*a));
        for (const auto &kw : e.kwargs)
            args.keywords.emplace_back(kw.first, eval(*kw.second));
        return Builtins::filter(*this, e.name, input, args, e.line);
    }
    case Expr::Kind::Test: {
        const Value input = eval(*e.a);
        CallArgs args;
        for (const auto &a : e.args)
            args.positional.push_back(eval(*a));
        for (const auto &kw : e.kwargs)
            args.keywords.emplace_back(kw.first, eval(*kw.second));
        const bool r = Builtins::test(*this, e.name, input, args, e.line);
        return Value(e.negated ? !r : r);
    }
    case Expr::Kind::Unary: {
        const Value a = eval(*e.a);
        if (e.name == "not")
            return Value(!a.truthy());
        if (a.isUndefined())
            fail(e.line, "'" + a.undefinedName() + "' is undefined");
        if (!numeric(a))
            fail(e.line, "bad operand type for unary " + e.name + ": '" + a.typeName() + "'");
        if (e.name == "+")
            return a;
        if (a.kind() == Value::Kind::Float)
            return Value(-a.asFloat());
        return Value(subChecked(0, a.asInt(), e.line));
    }
    case Expr::Kind::Binary: return binary(e);
    case Expr::Kind::And: {
        Value a = eval(*e.a);
        return a.truthy() ? eval(*e.b) : a;
    }
    case Expr::Kind::Or: {
        Value a = eval(*e.a);
        return a.truthy() ? a : eval(*e.b);
    }
    case Expr::Kind::Cond:
        if (eval(*e.b).truthy())
            return eval(*e.a);
        return e.c ? eval(*e.c) : Value::undefined();
    case Expr::Kind::List:
    case Expr::Kind::Tuple: {
        ValueList items;
        for (const auto &a : e.args)
            items.push_back(eval(*a));
        return e.kind == Expr::Kind::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    case Expr::Kind::Dict: {
        ValueDict d;
        for (const auto &item : e.dictItems) {
            const Value key = eval(*item.first);
            if (!key.isString())
                fail(e.line, "dict keys must be strings in chat templates");
            d.set(key.asString(), eval(*item.second));
        }
        return Value::dict(std::move(d));
    }
    }
    return Value::undefined();
}

} // namespace ft::tpl
