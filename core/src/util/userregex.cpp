#include "util/userregex.h"

#include "ft/error.h"
#include "ft/jsonparse.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace ft {
namespace {

// Backtracking steps and nesting per match: parameter names are short, so real patterns need a
// few thousand at most.
constexpr uint32_t kMatchLimit = 1000000;
constexpr uint32_t kDepthLimit = 10000;

} // namespace

struct UserRegex::Impl
{
    std::string pattern;
    std::string where;
    pcre2_code *code = nullptr;
    pcre2_match_context *context = nullptr;
    ~Impl()
    {
        pcre2_match_context_free(context);
        pcre2_code_free(code);
    }
};

UserRegex::UserRegex(const std::string &pattern, const std::string &where) : d(std::make_unique<Impl>())
{
    d->pattern = pattern;
    d->where = where;
    int err = 0;
    PCRE2_SIZE offset = 0;
    d->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP, &err,
                            &offset, nullptr);
    if (!d->code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        throwBadInput(where + ": '" + textExcerpt(pattern, 80) + "' is not a valid regex (" +
                      reinterpret_cast<const char *>(buf) + " at offset " + std::to_string(offset) + ")");
    }
    d->context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(d->context, kMatchLimit);
    pcre2_set_depth_limit(d->context, kDepthLimit);
}

UserRegex::~UserRegex() = default;
UserRegex::UserRegex(UserRegex &&) noexcept = default;
UserRegex &UserRegex::operator=(UserRegex &&) noexcept = default;

const std::string &UserRegex::pattern() const { return d->pattern; }

namespace {

int matchCode(pcre2_code *code, pcre2_match_context *context, const std::string &text, uint32_t options)
{
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
    return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, options, md.get(), context);
}

bool runMatch(const UserRegex &re, pcre2_code *code, pcre2_match_context *context, const std::string &text,
              uint32_t options, const std::string &where)
{
    const int rc = matchCode(code, context, text, options);
    if (rc >= 0)
        return true;
    if (rc == PCRE2_ERROR_NOMATCH)
        return false;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
        throwBadInput(where + ": '" + textExcerpt(re.pattern(), 80) +
                      "' backtracks too much to match (simplify nested repeats such as (.*)*)");
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(rc, buf, sizeof buf);
    throwBadInput(where + ": '" + textExcerpt(re.pattern(), 80) + "' cannot be matched (" +
                  reinterpret_cast<const char *>(buf) + ")");
}

} // namespace

bool UserRegex::search(const std::string &text) const
{
    return runMatch(*this, d->code, d->context, text, 0, d->where);
}

UserRegex::Outcome UserRegex::searchWithinLimits(const std::string &text) const
{
    const int rc = matchCode(d->code, d->context, text, 0);
    return rc >= 0 ? Outcome::Match : rc == PCRE2_ERROR_NOMATCH ? Outcome::NoMatch : Outcome::LimitReached;
}

bool UserRegex::fullMatch(const std::string &text) const
{
    return runMatch(*this, d->code, d->context, text, PCRE2_ANCHORED | PCRE2_ENDANCHORED, d->where);
}

void UserRegex::validate(const std::string &pattern, const std::string &where)
{
    UserRegex check(pattern, where);
}

} // namespace ft
