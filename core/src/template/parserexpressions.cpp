// The expression half of the Jinja2 parser (template/parser.h): precedence climbing from
// conditional expressions down to literals, subscripts, calls and filters.
#include "template/parser.h"

#include "ft/error.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <utility>

namespace ft::tpl {

ExprPtr Parser::parseTupleOrExpression()
{
    const int line = peek().line;
    ExprPtr first = parseExpression();
    if (!isOp(","))
        return first;
    auto t = makeExpr(Expr::Kind::Tuple, line);
    t->args.push_back(first);
    while (isOp(",")) {
        next();
        if (peek().type == Token::Type::VarEnd || peek().type == Token::Type::BlockEnd || isOp(")"))
            break;
        t->args.push_back(parseExpression());
    }
    return sealed(t);
}

ExprPtr Parser::parseExpression(bool allowCond)
{
    DepthGuard guard(m_depth, peek().line);
    ExprPtr expr = parseOr();
    while (allowCond && isName("if")) {
        auto c = makeExpr(Expr::Kind::Cond, next().line);
        c->b = parseOr();
        c->a = expr;
        if (isName("else")) {
            next();
            c->c = parseExpression();
        }
        expr = sealed(c);
    }
    return expr;
}

// Left-associative chains of one boolean keyword: `a or b or c`, `a and b`.
ExprPtr Parser::parseChain(const char *keyword, Expr::Kind kind, ExprPtr (Parser::*operand)())
{
    ExprPtr left = (this->*operand)();
    while (isName(keyword)) {
        auto e = makeExpr(kind, next().line);
        e->a = left;
        e->b = (this->*operand)();
        left = sealed(e);
    }
    return left;
}

ExprPtr Parser::parseOr()
{
    return parseChain("or", Expr::Kind::Or, &Parser::parseAnd);
}

ExprPtr Parser::parseAnd()
{
    return parseChain("and", Expr::Kind::And, &Parser::parseNot);
}

ExprPtr Parser::parseNot()
{
    if (isName("not")) {
        DepthGuard guard(m_depth, peek().line);
        auto e = makeExpr(Expr::Kind::Unary, next().line);
        e->name = "not";
        e->a = parseNot();
        return sealed(e);
    }
    return parseCompare();
}

ExprPtr Parser::parseCompare()
{
    ExprPtr left = parseMath1();
    while (true) {
        std::string op;
        if (peek().type == Token::Type::Op &&
            (peek().value == "==" || peek().value == "!=" || peek().value == "<" || peek().value == ">" ||
             peek().value == "<=" || peek().value == ">=")) {
            op = peek().value;
            next();
        } else if (isName("in")) {
            next();
            op = "in";
        } else if (isName("not") && isName("in", 1)) {
            next();
            next();
            op = "not in";
        } else {
            break;
        }
        auto e = makeExpr(Expr::Kind::Binary, peek().line);
        e->name = op;
        e->a = left;
        e->b = parseMath1();
        left = sealed(e);
    }
    return left;
}

// Left-associative chains of the binary operators of one precedence level: `a + b - c`, `a ~ b`.
ExprPtr Parser::parseOperators(std::initializer_list<const char *> ops, ExprPtr (Parser::*operand)())
{
    ExprPtr left = (this->*operand)();
    while (std::any_of(ops.begin(), ops.end(), [this](const char *op) { return isOp(op); })) {
        auto e = makeExpr(Expr::Kind::Binary, peek().line);
        e->name = next().value;
        e->a = left;
        e->b = (this->*operand)();
        left = sealed(e);
    }
    return left;
}

ExprPtr Parser::parseMath1()
{
    return parseOperators({"+", "-"}, &Parser::parseConcat);
}

ExprPtr Parser::parseConcat()
{
    return parseOperators({"~"}, &Parser::parseMath2);
}

ExprPtr Parser::parseMath2()
{
    return parseOperators({"*", "/", "//", "%"}, &Parser::parsePow);
}

ExprPtr Parser::parsePow()
{
    return parseOperators({"**"}, &Parser::parseFilteredUnary);
}

ExprPtr Parser::parseFilteredUnary()
{
    return parseUnary(true);
}

ExprPtr Parser::parseUnary(bool withFilter)
{
    DepthGuard guard(m_depth, peek().line);
    ExprPtr node;
    if (isOp("-") || isOp("+")) {
        node = makeExpr(Expr::Kind::Unary, peek().line);
        node->name = next().value;
        node->a = parseUnary(false);
        node = sealed(node);
    } else {
        node = parsePostfix(parsePrimary());
    }
    return withFilter ? parseFilterExpr(node) : node;
}

ExprPtr Parser::parsePrimary()
{
    const Token t = peek();
    switch (t.type) {
    case Token::Type::Name: {
        next();
        auto e = makeExpr(Expr::Kind::Literal, t.line);
        if (t.value == "true" || t.value == "True")
            e->value = Value(true);
        else if (t.value == "false" || t.value == "False")
            e->value = Value(false);
        else if (t.value == "none" || t.value == "None")
            e->value = Value::none();
        else {
            e->kind = Expr::Kind::Name;
            e->name = t.value;
        }
        return sealed(e);
    }
    case Token::Type::String: {
        std::string s = next().value;
        while (peek().type == Token::Type::String)
            s += next().value;
        auto e = makeExpr(Expr::Kind::Literal, t.line);
        e->value = Value(s);
        return sealed(e);
    }
    case Token::Type::Int: {
        next();
        auto e = makeExpr(Expr::Kind::Literal, t.line);
        errno = 0;
        const long long v = std::strtoll(t.value.c_str(), nullptr, 10);
        if (errno == ERANGE)
            fail("integer literal out of range");
        e->value = Value(static_cast<int64_t>(v));
        return sealed(e);
    }
    case Token::Type::Float: {
        next();
        auto e = makeExpr(Expr::Kind::Literal, t.line);
        e->value = Value(std::strtod(t.value.c_str(), nullptr));
        return sealed(e);
    }
    case Token::Type::Op:
        if (t.value == "(") {
            next();
            if (isOp(")")) {
                next();
                return makeExpr(Expr::Kind::Tuple, t.line);
            }
            ExprPtr inner = parseExpression();
            if (isOp(",")) {
                auto tuple = makeExpr(Expr::Kind::Tuple, t.line);
                tuple->args.push_back(inner);
                while (isOp(",")) {
                    next();
                    if (isOp(")"))
                        break;
                    tuple->args.push_back(parseExpression());
                }
                inner = sealed(tuple);
            }
            expectOp(")");
            return inner;
        }
        if (t.value == "[") {
            next();
            auto e = makeExpr(Expr::Kind::List, t.line);
            while (!isOp("]")) {
                e->args.push_back(parseExpression());
                if (!isOp("]"))
                    expectOp(",");
            }
            next();
            return sealed(e);
        }
        if (t.value == "{") {
            next();
            auto e = makeExpr(Expr::Kind::Dict, t.line);
            while (!isOp("}")) {
                ExprPtr key = parseExpression();
                expectOp(":");
                ExprPtr value = parseExpression();
                e->dictItems.emplace_back(key, value);
                if (!isOp("}"))
                    expectOp(",");
            }
            next();
            return sealed(e);
        }
        break;
    default: break;
    }
    if (t.type == Token::Type::VarEnd || t.type == Token::Type::BlockEnd || t.type == Token::Type::End)
        fail("expected an expression");
    fail("unexpected '" + t.value + "'");
}

ExprPtr Parser::parsePostfix(ExprPtr node)
{
    while (true) {
        if (isOp(".")) {
            const int line = next().line;
            auto e = makeExpr(Expr::Kind::GetAttr, line);
            e->a = node;
            if (peek().type == Token::Type::Int) {
                e->kind = Expr::Kind::GetItem;
                auto idx = makeExpr(Expr::Kind::Literal, line);
                idx->value = Value(static_cast<int64_t>(std::strtoll(next().value.c_str(), nullptr, 10)));
                e->b = idx;
            } else {
                e->name = expectName();
            }
            node = sealed(e);
        } else if (isOp("[")) {
            const int line = next().line;
            ExprPtr parts[3];
            int colons = 0;
            while (!isOp("]")) {
                if (isOp(":")) {
                    next();
                    if (++colons > 2)
                        fail("too many ':' in slice");
                    continue;
                }
                if (parts[colons])
                    fail("expected ']'");
                parts[colons] = parseExpression();
            }
            next();
            if (colons == 0) {
                if (!parts[0])
                    fail("empty subscript");
                auto e = makeExpr(Expr::Kind::GetItem, line);
                e->a = node;
                e->b = parts[0];
                node = sealed(e);
            } else {
                auto e = makeExpr(Expr::Kind::Slice, line);
                e->a = node;
                e->args = {parts[0], parts[1], parts[2]};
                node = sealed(e);
            }
        } else if (isOp("(")) {
            node = parseCall(node);
        } else {
            return node;
        }
    }
}

// callee(args...), at the "(".
ExprPtr Parser::parseCall(ExprPtr callee)
{
    auto e = makeExpr(Expr::Kind::Call, peek().line);
    e->a = std::move(callee);
    parseCallArgs(*e);
    return sealed(e);
}

void Parser::parseCallArgs(Expr &call)
{
    expectOp("(");
    while (!isOp(")")) {
        if (peek().type == Token::Type::Name && isOp("=", 1)) {
            std::string key = next().value;
            next();
            call.kwargs.emplace_back(key, parseExpression());
        } else {
            if (!call.kwargs.empty())
                fail("positional argument after keyword argument");
            call.args.push_back(parseExpression());
        }
        if (!isOp(")"))
            expectOp(",");
    }
    next();
}

ExprPtr Parser::parseFilterExpr(ExprPtr node)
{
    while (true) {
        if (isOp("|")) {
            const int line = next().line;
            auto e = makeExpr(Expr::Kind::Filter, line);
            e->a = node;
            e->name = expectName();
            while (isOp(".")) { // dotted filter names are not used; keep the error clear
                next();
                e->name += "." + expectName();
            }
            if (isOp("("))
                parseCallArgs(*e);
            node = sealed(e);
        } else if (isName("is")) {
            const int line = next().line;
            auto e = makeExpr(Expr::Kind::Test, line);
            e->a = node;
            if (isName("not")) {
                next();
                e->negated = true;
            }
            e->name = expectName();
            if (isOp("(")) {
                parseCallArgs(*e);
            } else {
                const Token &t = peek();
                const bool argStarts =
                    (t.type == Token::Type::Name && t.value != "else" && t.value != "or" && t.value != "and" &&
                     t.value != "if" && t.value != "is" && t.value != "in" && t.value != "not") ||
                    t.type == Token::Type::String || t.type == Token::Type::Int || t.type == Token::Type::Float ||
                    (t.type == Token::Type::Op && (t.value == "[" || t.value == "{"));
                if (argStarts)
                    e->args.push_back(parsePostfix(parsePrimary()));
            }
            node = sealed(e);
        } else if (isOp("(")) {
            node = parseCall(node);
        } else {
            return node;
        }
    }
}

} // namespace ft::tpl
