// Jinja2 lexer with the whitespace rules transformers' chat templates render under:
// trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, '-'/'+' modifiers.
#pragma once

#include <string>
#include <vector>

namespace ft::tpl {

struct Token
{
    enum class Type { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, End };
    Type type;
    std::string value;
    int line = 1;
};

class Lexer
{
public:
    // Throws ft::Error(BadInput) "chat template: line N: ..." on unclosed tags/strings.
    static std::vector<Token> tokenize(const std::string &source);
};

} // namespace ft::tpl
