// The statement half of the Jinja2 parser (template/parser.h): the token cursor, nesting limits,
// bodies and {% ... %} statements; the expressions are in parserexpressions.cpp.
#include "template/parser.h"

#include "ft/error.h"
#include "util/stackguard.h"

namespace ft::tpl {
namespace {

constexpr int kMaxNesting = 200;
// Chains (`a + b + ...`, `x|f|g`, `a.b.c`, `a[0][0]`) deepen the tree without recursing in the
// parser; real templates stay far below this, and 20,000 levels would overflow the stack.
constexpr int kMaxExprHeight = 1000;

} // namespace

ExprPtr Parser::makeExpr(Expr::Kind kind, int line)
{
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
}

Parser::DepthGuard::DepthGuard(int &d, int line) : depth(d)
{
    // The stack check covers builds with large frames (sanitizers) and small thread stacks.
    const StackGuard &stack = StackGuard::forThisThread();
    if (++depth > kMaxNesting || stack.exhausted())
        throwBadInput("chat template: line " + std::to_string(line) + ": expression nested too deeply");
}

Parser::DepthGuard::~DepthGuard()
{
    --depth;
}

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

} // namespace ft::tpl
