// Parses Jinja2 tokens into statements (the subset chat templates use).
#pragma once

#include "template/ast.h"
#include "template/lexer.h"

#include <initializer_list>

namespace ft::tpl {

class Parser
{
public:
    // Throws ft::Error(BadInput) "chat template: line N: ..." on syntax errors.
    static Body parse(const std::string &source);

private:
    explicit Parser(std::vector<Token> tokens) : m_tokens(std::move(tokens)) {}
    Body parseBody(const std::vector<std::string> &enders, std::string *ender);
    StmtPtr parseStatement(const std::string &keyword, int line);
    ExprPtr parseExpression(bool allowCond = true);
    ExprPtr parseTupleOrExpression();
    ExprPtr parseChain(const char *keyword, Expr::Kind kind, ExprPtr (Parser::*operand)());
    ExprPtr parseOperators(std::initializer_list<const char *> ops, ExprPtr (Parser::*operand)());
    ExprPtr parseOr();
    ExprPtr parseAnd();
    ExprPtr parseNot();
    ExprPtr parseCompare();
    ExprPtr parseMath1();
    ExprPtr parseConcat();
    ExprPtr parseMath2();
    ExprPtr parsePow();
    ExprPtr parseUnary(bool withFilter);
    ExprPtr parseFilteredUnary();  // parseUnary(true), as an operand of parseOperators
    ExprPtr parsePrimary();
    ExprPtr parsePostfix(ExprPtr node);
    ExprPtr parseFilterExpr(ExprPtr node);
    ExprPtr parseCall(ExprPtr callee);
    void parseCallArgs(Expr &call);
    // Sets e's height from its children; BadInput when the tree grows too deep.
    ExprPtr sealed(ExprPtr e) const;
    static ExprPtr makeExpr(Expr::Kind kind, int line);
    // One level of nesting for the scope's life; BadInput past the limit or near the stack's end.
    struct DepthGuard
    {
        DepthGuard(int &depth, int line);
        ~DepthGuard();
        DepthGuard(const DepthGuard &) = delete;
        DepthGuard &operator=(const DepthGuard &) = delete;
        int &depth;
    };
    std::vector<std::string> parseTargets();

    const Token &peek(std::size_t ahead = 0) const;
    Token next();
    bool isOp(const char *op, std::size_t ahead = 0) const;
    bool isName(const char *name, std::size_t ahead = 0) const;
    void expectOp(const char *op);
    void expectBlockEnd();
    std::string expectName();
    [[noreturn]] void fail(const std::string &what) const;

    std::vector<Token> m_tokens;
    std::size_t m_pos = 0;
    int m_depth = 0;
};

} // namespace ft::tpl
