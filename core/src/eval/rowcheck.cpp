// Per-row user checks of a prediction: contains, regex (PCRE2 with match limits, so a
// catastrophic pattern fails one row instead of hanging the run), valid JSON.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "ft/error.h"
#include "ft/evalmetrics.h"

#include <nlohmann/json.hpp>
#include <pcre2.h>

namespace ft {

namespace {

constexpr uint32_t kMatchLimit = 1'000'000;  // backtracking steps per row
constexpr uint32_t kDepthLimit = 10'000;
constexpr std::size_t kMaxPatternBytes = 4096;

bool startsWith(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

struct RowCheck::Regex
{
    pcre2_code *code = nullptr;
    pcre2_match_context *context = nullptr;
    ~Regex()
    {
        pcre2_match_context_free(context);
        pcre2_code_free(code);
    }
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
    int err = 0;
    PCRE2_SIZE offset = 0;
    m_regex = std::make_unique<Regex>();
    m_regex->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(m_text.data()), m_text.size(),
                                  PCRE2_UTF | PCRE2_UCP, &err, &offset, nullptr);
    if (!m_regex->code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        throwBadInput("--check " + spec + ": invalid regex at offset " + std::to_string(offset) +
                      ": " + reinterpret_cast<const char *>(buf));
    }
    m_regex->context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(m_regex->context, kMatchLimit);
    pcre2_set_depth_limit(m_regex->context, kDepthLimit);
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
    pcre2_match_data *data = pcre2_match_data_create_from_pattern(m_regex->code, nullptr);
    // Invalid UTF-8 cannot come from JSON input; PCRE2_NO_UTF_CHECK is not passed anyway.
    const int rc = pcre2_match(m_regex->code, reinterpret_cast<PCRE2_SPTR>(prediction.data()),
                               prediction.size(), 0, 0, data, m_regex->context);
    pcre2_match_data_free(data);
    if (rc >= 0)
        return Outcome::Pass;
    if (rc == PCRE2_ERROR_NOMATCH)
        return Outcome::Fail;
    return Outcome::LimitReached;  // match or depth limit, or another matching error
}

} // namespace ft
