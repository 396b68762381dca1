// Per-row user checks of a prediction: contains, regex (PCRE2 with match limits, so a
// catastrophic pattern fails one row instead of hanging the run), valid JSON.
#include "ft/error.h"
#include "ft/evalmetrics.h"
#include "util/userregex.h"

#include <nlohmann/json.hpp>

namespace ft {

namespace {

constexpr std::size_t kMaxPatternBytes = 4096;

bool startsWith(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

struct RowCheck::Regex
{
    UserRegex regex;
};

RowCheck::RowCheck(const std::string &spec) : m_spec(spec)
{
    if (spec == "json")
        return;
    if (startsWith(spec, "contains:")) {
        m_text = spec.substr(9);
        if (m_text.empty())
            throwBadInput("--check " + spec + ": the text to look for is empty");
        return;
    }
    if (!startsWith(spec, "regex:"))
        throwBadInput("--check " + spec + ": expected contains:TEXT, regex:PATTERN or json");
    m_text = spec.substr(6);
    if (m_text.empty() || m_text.size() > kMaxPatternBytes)
        throwBadInput("--check " + spec + ": the pattern must be 1.." +
                      std::to_string(kMaxPatternBytes) + " bytes");
    m_regex = std::make_unique<Regex>(Regex{UserRegex(m_text, "--check regex")});
}

RowCheck::~RowCheck() = default;
RowCheck::RowCheck(RowCheck &&) noexcept = default;
RowCheck &RowCheck::operator=(RowCheck &&) noexcept = default;

RowCheck::Outcome RowCheck::check(const std::string &prediction) const
{
    if (m_spec == "json")
        return nlohmann::json::accept(prediction) ? Outcome::Pass : Outcome::Fail;
    if (!m_regex)
        return prediction.find(m_text) != std::string::npos ? Outcome::Pass : Outcome::Fail;
    switch (m_regex->regex.searchWithinLimits(prediction)) {
    case UserRegex::Outcome::Match: return Outcome::Pass;
    case UserRegex::Outcome::NoMatch: return Outcome::Fail;
    case UserRegex::Outcome::LimitReached: break;
    }
    return Outcome::LimitReached;  // match or depth limit, or another matching error
}

} // namespace ft
