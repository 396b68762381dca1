// A regular expression a person typed (freeze patterns, LoRA / IA3 target regexes). PCRE2, with
// Python re's syntax for what these patterns use, and match limits: a pattern that backtracks
// catastrophically, e.g. (.*.*.*.*)*x, fails with a message instead of running for minutes.
#pragma once

#include <memory>
#include <string>

namespace ft {

class UserRegex
{
public:
    // BadInput "<where>: '<pattern>' is not a valid regex (reason)".
    UserRegex(const std::string &pattern, const std::string &where);
    ~UserRegex();
    UserRegex(UserRegex &&) noexcept;
    UserRegex &operator=(UserRegex &&) noexcept;

    // Python re.search / re.fullmatch. BadInput naming the pattern when it exceeds the limits.
    bool search(const std::string &text) const;
    // re.search that reports the limits instead of throwing (one row's check, say).
    enum class Outcome { Match, NoMatch, LimitReached };
    Outcome searchWithinLimits(const std::string &text) const;
    bool fullMatch(const std::string &text) const;
    const std::string &pattern() const;

    // BadInput when `pattern` does not compile (for config validation).
    static void validate(const std::string &pattern, const std::string &where);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace ft
