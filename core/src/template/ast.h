// Syntax tree of a parsed template (expressions and statements).
#pragma once

#include "template/value.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ft::tpl {

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

struct Expr
{
    enum class Kind {
        Literal,   // value
        Name,      // name
        GetAttr,   // a.name
        GetItem,   // a[b]
        Slice,     // a[b:c:d] (args may hold nullptr)
        Call,      // a(args, kwargs)
        Filter,    // a | name(args, kwargs)
        Test,      // a is [not] name(args)
        Unary,     // op a   ("-", "+", "not")
        Binary,    // a op b (arithmetic, comparison, in, not in, ~)
        And,
        Or,
        Cond,      // a if b else c
        List,      // [args]
        Tuple,     // (args)
        Dict,      // {kwargs-like pairs in dictItems}
    };
    Kind kind;
    int line = 0;
    // Levels of expressions at and below this one (1 for a leaf). The parser bounds it, so that
    // evaluating and destroying a tree, both recursive, cannot exhaust the stack.
    int height = 1;
    Value value;
    std::string name; // Name/GetAttr/Filter/Test/op
    bool negated = false;
    ExprPtr a, b, c;
    std::vector<ExprPtr> args;
    std::vector<std::pair<std::string, ExprPtr>> kwargs;
    std::vector<std::pair<ExprPtr, ExprPtr>> dictItems;
};

struct Stmt;
using StmtPtr = std::shared_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt
{
    enum class Kind { Text, Output, If, For, Set, SetBlock, Macro, Break, Continue, Generation, CallBlock };
    Kind kind;
    int line = 0;
    std::string text;                              // Text
    ExprPtr expr;                                  // Output / Set value / For iterable / CallBlock call
    std::vector<std::pair<ExprPtr, Body>> branches; // If: (condition, body)...
    Body body, elseBody;                           // For, SetBlock, Macro, Generation, If (else)
    std::vector<std::string> targets;              // For / Set names; Set "ns.attr" stored as {ns, attr}
    bool attrTarget = false;                       // Set: targets = {namespace, attribute}
    ExprPtr filter;                                // For: `if` filter; SetBlock: filter expression
    std::string name;                              // Macro name
    std::vector<std::pair<std::string, ExprPtr>> params; // Macro params with defaults (nullptr: none)
};

} // namespace ft::tpl
