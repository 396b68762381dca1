// Renders a parsed template: scopes, loops, macros, limits (the sandbox: no I/O, only the
// globals given, bounded loop iterations, call depth and output size).
#pragma once

#include "template/ast.h"
#include "util/stackguard.h"

#include <chrono>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ft::tpl {

struct Limits
{
    std::size_t maxOutputBytes = 64u << 20;
    std::size_t maxLoopIterations = 1000000; // all loops together
    int maxCallDepth = 64;
    // Any one string built on the way (concatenation, repetition, filters) and any one list.
    std::size_t maxValueBytes = 64u << 20;
    std::size_t maxListItems = 4u << 20;
    // Expressions evaluated, and wall time, for the whole rendering.
    std::size_t maxOperations = 200000000;
    double maxSeconds = 60.0;
};

// One iteration of a for loop over a watched item (Evaluator::watch), or a loop's end
// (item == npos), at an offset in the top-level output.
struct LoopVisit
{
    std::size_t loop = 0;   // which loop run (counted from 1 in execution order)
    std::size_t item = 0;   // the watched item's index, npos for the end of the loop
    std::size_t offset = 0; // bytes of top-level output before it
};

class Evaluator
{
public:
    // `shared`: more globals, looked up after `globals` and never changed (a template's
    // assignments go to `globals`), so that one set serves many renders.
    Evaluator(ValueDict globals, Limits limits, const ValueDict *shared = nullptr);

    // Renders the template body. `generationRanges` receives the byte ranges of
    // {% generation %} blocks in the output.
    std::string render(const Body &body);
    const std::vector<std::pair<std::size_t, std::size_t>> &generationRanges() const { return m_ranges; }
    // Records where loops writing to the top-level output start an iteration over one of
    // `items` (dicts or lists, by identity): how the chat template renders the messages in turn.
    void watch(const std::vector<const void *> &items);
    const std::vector<LoopVisit> &loopVisits() const { return m_visits; }

    Value eval(const Expr &e);
    Value call(const Value &fn, const CallArgs &args, int line);
    [[noreturn]] void fail(int line, const std::string &what) const;
    void countIteration(int line);
    // BadInput when a value about to be built would pass the limits on one value.
    void checkStringSize(std::size_t bytes, int line) const;
    void checkListSize(std::size_t items, int line) const;

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
    const ValueDict *m_shared = nullptr;
    Limits m_limits;
    std::size_t m_iterations = 0;
    std::size_t m_operations = 0;
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
    int m_callDepth = 0;
    const StackGuard &m_stack = StackGuard::forThisThread(); // the thread's that makes the evaluator
    std::string *m_root = nullptr; // the top-level output, for {% generation %} offsets
    std::vector<std::pair<std::size_t, std::size_t>> m_ranges;
    std::unordered_map<const void *, std::size_t> m_watched;
    std::vector<LoopVisit> m_visits;
    std::size_t m_loops = 0;
};

} // namespace ft::tpl
