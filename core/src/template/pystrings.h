// Python's str methods as chat templates use them (pystrings.cpp).
#pragma once

#include "template/value.h"

#include <cstdint>
#include <string>

namespace ft::tpl {

// str.isspace() for one byte.
bool isPySpace(unsigned char c);
// str.strip / lstrip / rstrip; chars null or None: whitespace.
std::string strip(const std::string &s, const Value *chars, bool left, bool right);
std::string upper(std::string s);
std::string lower(std::string s);
std::string capitalize(const std::string &s);
std::string title(const std::string &s);
// str.replace; count < 0: all.
std::string replace(const std::string &s, const std::string &from, const std::string &to, int64_t count);
// str.split(sep=None, maxsplit=-1) as a list of strings.
Value split(const std::string &s, const Value *sep, const Value *maxsplit);
// str.startswith (prefix) / endswith with a string or a tuple of strings.
bool affix(const std::string &s, const Value &arg, bool prefix);
// The escape filter: & < > and both quotes as HTML entities.
std::string htmlEscape(const std::string &s);

} // namespace ft::tpl
