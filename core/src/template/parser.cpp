#include "template/parser.h"

#include "ft/error.h"
#include "util/stackguard.h"

#include <cstdlib>

namespace ft::tpl {
namespace {

constexpr int kMaxNesting = 200;
// Chains (`a + b + ...`, `x|f|g`, `a.b.c`, `a[0][0]`) deepen the tree without recursing in the
// parser; real templates stay far below this, and 20,000 levels would overflow the stack.
constexpr int kMaxExprHeight = 1000;

ExprPtr makeExpr(Expr::Kind kind, int line)
{
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
}

struct DepthGuard
{
    int &depth;
    DepthGuard(int &d, int line) : depth(d)
    {
        // The stack check covers builds with large frames (sanitizers) and small thread stacks.
        const StackGuard &stack = StackGuard::forThisThread();
        if (++depth > kMaxNesting || stack.exhausted())
            throwBadInput("chat template: line " + std::to_string(line) + ": expression nested too deeply");
    }
    ~DepthGuard() { --depth; }
};

} // namespace

ExprPtr Parser::sealed(ExprPtr e) const
{
    int below = 0;
    auto see = [&below](const ExprPtr &child) {
        if (child && child->height > below)
            below = child->height;
    };
    see(e->a);
    see(e->b);
    see(e->c);
    for (const ExprPtr &arg : e->args)
        see(arg);
    for (const auto &kw : e->kwargs)
        see(kw.second);
    for (const auto &item : e->dictItems) {
        see(item.first);
        see(item.second);
    }
    e->height = below + 1;
    if (e->height > kMaxExprHeight)
        throwBadInput("chat template: line " + std::to_string(e->line) + ": expression nested too deeply (over " +
                      std::to_string(kMaxExprHeight) + " levels of operators, filters or subscripts)");
    return e;
}

Body Parser::parse(const std::string &source)
{
    Parser p(Lexer::tokenize(source));
    std::string ender;
    Body body = p.parseBody({}, &ender);
    return body;
}

const Token &Parser::peek(std::size_t ahead) const
{
    const std::size_t i = m_pos + ahead;
    return i < m_tokens.size() ? m_tokens[i] : m_tokens.back();
}

Token Parser::next()
{
    Token t = peek();
    if (m_pos < m_tokens.size() - 1)
        ++m_pos;
    return t;
}

bool Parser::isOp(const char *op, std::size_t ahead) const
{
    const Token &t = peek(ahead);
    return t.type == Token::Type::Op && t.value == op;
}

bool Parser::isName(const char *name, std::size_t ahead) const
{
    const Token &t = peek(ahead);
    return t.type == Token::Type::Name && t.value == name;
}

void Parser::fail(const std::string &what) const
{
    throwBadInput("chat template: line " + std::to_string(peek().line) + ": " + what);
}

void Parser::expectOp(const char *op)
{
    if (!isOp(op))
        fail(std::string("expected '") + op + "'" +
             (peek().value.empty() ? std::string() : ", got '" + peek().value + "'"));
    next();
}

void Parser::expectBlockEnd()
{
    if (peek().type != Token::Type::BlockEnd)
        fail("expected end of statement '%}'" +
             (peek().value.empty() ? std::string() : ", got '" + peek().value + "'"));
    next();
}

std::string Parser::expectName()
{
    if (peek().type != Token::Type::Name)
        fail("expected a name" + (peek().value.empty() ? std::string() : ", got '" + peek().value + "'"));
    return next().value;
}

Body Parser::parseBody(const std::vector<std::string> &enders, std::string *ender)
{
    Body body;
    while (true) {
        const Token &t = peek();
        switch (t.type) {
        case Token::Type::End:
            if (!enders.empty()) {
                std::string list;
                for (const auto &e : enders)
                    list += (list.empty() ? "'" : " or '") + e + "'";
                fail("unexpected end of template: missing " + list);
            }
            return body;
        case Token::Type::Text: {
            auto s = std::make_shared<Stmt>();
            s->kind = Stmt::Kind::Text;
            s->line = t.line;
            s->text = next().value;
            body.push_back(s);
            break;
        }
        case Token::Type::VarBegin: {
            auto s = std::make_shared<Stmt>();
            s->kind = Stmt::Kind::Output;
            s->line = next().line;
            s->expr = parseTupleOrExpression();
            if (peek().type != Token::Type::VarEnd)
                fail("expected '}}'" + (peek().value.empty() ? std::string() : ", got '" + peek().value + "'"));
            next();
            body.push_back(s);
            break;
        }
        case Token::Type::BlockBegin: {
            const int line = next().line;
            const std::string keyword = expectName();
            for (const auto &e : enders)
                if (e == keyword) {
                    *ender = keyword;
                    return body;
                }
            body.push_back(parseStatement(keyword, line));
            break;
        }
        default: fail("unexpected '" + t.value + "'");
        }
    }
}

std::vector<std::string> Parser::parseTargets()
{
    std::vector<std::string> names;
    const bool paren = isOp("(");
    if (paren)
        next();
    names.push_back(expectName());
    while (isOp(",")) {
        next();
        names.push_back(expectName());
    }
    if (paren)
        expectOp(")");
    return names;
}

StmtPtr Parser::parseStatement(const std::string &keyword, int line)
{
    DepthGuard guard(m_depth, line);
    auto s = std::make_shared<Stmt>();
    s->line = line;
    if (keyword == "if") {
        s->kind = Stmt::Kind::If;
        ExprPtr cond = parseExpression();
        expectBlockEnd();
        while (true) {
            std::string ender;
            Body body = parseBody({"elif", "else", "endif"}, &ender);
            s->branches.emplace_back(cond, std::move(body));
            if (ender == "elif") {
                cond = parseExpression();
                expectBlockEnd();
                continue;
            }
            if (ender == "else") {
                expectBlockEnd();
                s->elseBody = parseBody({"endif"}, &ender);
            }
            expectBlockEnd();
            break;
        }
    } else if (keyword == "for") {
        s->kind = Stmt::Kind::For;
        s->targets = parseTargets();
        if (!isName("in"))
            fail("expected 'in' in for loop");
        next();
        s->expr = parseExpression(false);
        if (isName("if")) {
            next();
            s->filter = parseExpression(false);
        }
        if (isName("recursive"))
            fail("recursive for loops are not supported");
        expectBlockEnd();
        std::string ender;
        s->body = parseBody({"else", "endfor"}, &ender);
        if (ender == "else") {
            expectBlockEnd();
            s->elseBody = parseBody({"endfor"}, &ender);
        }
        expectBlockEnd();
    } else if (keyword == "set") {
        std::vector<std::string> names{expectName()};
        if (isOp(".")) {
            next();
            names.push_back(expectName());
            s->attrTarget = true;
        } else {
            while (isOp(",")) {
                next();
                names.push_back(expectName());
            }
        }
        s->targets = names;
        if (isOp("=")) {
            next();
            s->kind = Stmt::Kind::Set;
            s->expr = parseTupleOrExpression();
            expectBlockEnd();
        } else {
            if (s->attrTarget || names.size() != 1)
                fail("expected '=' in set");
            s->kind = Stmt::Kind::SetBlock;
            if (isOp("|")) {
                // `{% set x | filter %}`: apply the filters to the block's output.
                auto placeholder = makeExpr(Expr::Kind::Name, line);
                placeholder->name = "\x01setblock";
                s->filter = parseFilterExpr(placeholder);
            }
            expectBlockEnd();
            std::string ender;
            s->body = parseBody({"endset"}, &ender);
            expectBlockEnd();
        }
    } else if (keyword == "macro") {
        s->kind = Stmt::Kind::Macro;
        s->name = expectName();
        expectOp("(");
        while (!isOp(")")) {
            std::string param = expectName();
            ExprPtr def;
            if (isOp("=")) {
                next();
                def = parseExpression();
            }
            s->params.emplace_back(param, def);
            if (!isOp(")"))
                expectOp(",");
        }
        next();
        expectBlockEnd();
        std::string ender;
        s->body = parseBody({"endmacro"}, &ender);
        if (peek().type == Token::Type::Name)
            next(); // {% endmacro name %}
        expectBlockEnd();
    } else if (keyword == "call") {
        s->kind = Stmt::Kind::CallBlock;
        s->expr = parseExpression();
        expectBlockEnd();
        std::string ender;
        s->body = parseBody({"endcall"}, &ender);
        expectBlockEnd();
    } else if (keyword == "break" || keyword == "continue") {
        s->kind = keyword == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
        expectBlockEnd();
    } else if (keyword == "generation") {
        s->kind = Stmt::Kind::Generation;
        expectBlockEnd();
        std::string ender;
        s->body = parseBody({"endgeneration"}, &ender);
        expectBlockEnd();
    } else {
        fail("unknown or unexpected tag '" + keyword + "'");
    }
    return s;
}

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

ExprPtr Parser::parseMath1()
{
    ExprPtr left = parseConcat();
    while (isOp("+") || isOp("-")) {
        auto e = makeExpr(Expr::Kind::Binary, peek().line);
        e->name = next().value;
        e->a = left;
        e->b = parseConcat();
        left = sealed(e);
    }
    return left;
}

ExprPtr Parser::parseConcat()
{
    ExprPtr left = parseMath2();
    while (isOp("~")) {
        auto e = makeExpr(Expr::Kind::Binary, next().line);
        e->name = "~";
        e->a = left;
        e->b = parseMath2();
        left = sealed(e);
    }
    return left;
}

ExprPtr Parser::parseMath2()
{
    ExprPtr left = parsePow();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
        auto e = makeExpr(Expr::Kind::Binary, peek().line);
        e->name = next().value;
        e->a = left;
        e->b = parsePow();
        left = sealed(e);
    }
    return left;
}

ExprPtr Parser::parsePow()
{
    ExprPtr left = parseUnary(true);
    while (isOp("**")) {
        auto e = makeExpr(Expr::Kind::Binary, next().line);
        e->name = "**";
        e->a = left;
        e->b = parseUnary(true);
        left = sealed(e);
    }
    return left;
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
            auto e = makeExpr(Expr::Kind::Call, peek().line);
            e->a = node;
            parseCallArgs(*e);
            node = sealed(e);
        } else {
            return node;
        }
    }
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
            auto e = makeExpr(Expr::Kind::Call, peek().line);
            e->a = node;
            parseCallArgs(*e);
            node = sealed(e);
        } else {
            return node;
        }
    }
}

} // namespace ft::tpl
