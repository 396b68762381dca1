// Jinja2 filters, tests and the Python str/dict methods that chat templates call.
#pragma once

#include "template/value.h"

#include <string>

namespace ft::tpl {

class Evaluator;

struct Builtins
{
    // Throws ft::Error(BadInput) "chat template: line N: no filter named 'x'" when unknown.
    static Value filter(Evaluator &ev, const std::string &name, const Value &input, const CallArgs &args, int line);
    static bool test(Evaluator &ev, const std::string &name, const Value &input, const CallArgs &args, int line);
    static bool hasTest(const std::string &name);
    // obj.name as jinja2 sees it: dict key, or a bound method of str/dict/list, or Undefined.
    static Value attribute(const Value &obj, const std::string &name);
};

} // namespace ft::tpl
