// Text helpers for the metrics, written to reproduce Python's str semantics (the reference
// implementations are Python): code points, str.lower(), str.split()/strip() white space, the
// \b word characters of Python's re module, and the CJK characters the Chinese variants split.
#pragma once

#include <string>
#include <vector>

namespace ft::eval {

// Input from nlohmann_json is valid UTF-8; invalid bytes still decode (as U+FFFD), never throw.
std::u32string toCodePoints(const std::string &utf8);
std::string toUtf8(const std::u32string &text);

// Python's str.lower(): full Unicode lower-case mapping (ICU, root locale).
std::u32string pyLower(const std::u32string &text);
// Python's str.isspace(): Unicode White_Space plus the ASCII separators U+001C..U+001F.
bool pyIsSpace(char32_t cp);
// Python's str.split() with no arguments.
std::vector<std::u32string> pySplit(const std::u32string &text);
std::u32string pyStrip(const std::u32string &text);
std::u32string pyRstrip(const std::u32string &text);
// A character of Python re's Unicode \w: letters, numbers (any category N), '_'.
bool pyIsWordChar(char32_t cp);
// Unicode general category P* (ICU u_ispunct).
bool isUnicodePunctuation(char32_t cp);
// Han ideographs (URO, extension A..F, compatibility), kana, Hangul syllables.
bool isCjk(char32_t cp);

} // namespace ft::eval
