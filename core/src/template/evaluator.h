// Renders a parsed template: scopes, loops, macros, limits (the sandbox: no I/O, only the
// globals given, bounded loop iterations, call depth and output size).
#pragma once

#include "template/ast.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ft::tpl {

struct Limits
{
    std::size_t maxOutputBytes = 64u << 20;
    std::size_t maxLoopIterations = 1000000; // all loops together
    int maxCallDepth = 64;
};

class Evaluator
{
public:
    Evaluator(ValueDict globals, Limits limits);

    // Renders the template body. `generationRanges` receives the byte ranges of
    // {% generation %} blocks in the output.
    std::string render(const Body &body);
    const std::vector<std::pair<std::size_t, std::size_t>> &generationRanges() const { return m_ranges; }

    Value eval(const Expr &e);
    Value call(const Value &fn, const CallArgs &args, int line);
    [[noreturn]] void fail(int line, const std::string &what) const;
    void countIteration(int line);

private:
    enum class Flow { Normal, Break, Continue };
    Flow exec(const Body &body, std::string &out);
    Flow exec(const Stmt &s, std::string &out);
    Flow execFor(const Stmt &s, std::string &out);
    void assign(const std::string &name, Value v);
    Value lookup(const std::string &name) const;
    Value binary(const Expr &e);
    Value makeMacro(const Stmt &s);
    void append(std::string &out, const std::string &text, int line);

    std::vector<ValueDict> m_scopes; // [0] = globals
    Limits m_limits;
    std::size_t m_iterations = 0;
    int m_callDepth = 0;
    std::string *m_root = nullptr; // the top-level output, for {% generation %} offsets
    std::vector<std::pair<std::size_t, std::size_t>> m_ranges;
};

} // namespace ft::tpl
